// End to end against the real stand-ins (OIDC server and GraphQL test gateway, in-process).
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../../peers/oidc/oidc-server.js';
import { startGateway, type TestGateway } from '../../../../peers/gateway/gateway-server.js';
import { seedDemoData, type DemoData } from '../../../../peers/gateway/seed.js';
import { GatewayGraphqlClient } from '@app/shared/graphql/gateway-graphql.client.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { OidcTokenProvider } from '@app/shared/oidc/oidc-token-provider.js';
import { SubscriberGatewayClient } from './subscriber-gateway.client.js';

describe('SubscriberGatewayClient end to end (real OIDC server, real test gateway)', () => {
  let oidc: OidcServer;
  let gateway: TestGateway;
  let demo: DemoData;
  let graphql: GatewayGraphqlClient;
  let subscribers: SubscriberGatewayClient;

  beforeAll(async () => {
    oidc = await startOidcServer();
    demo = seedDemoData();
    gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, audience: 'nudges-gateway', store: demo.store });
    const tokens = new OidcTokenProvider({ serverUrl: oidc.serverUrl, realm: oidc.realm, ...DEFAULT_OIDC_CLIENT, timeoutMs: 2000 });
    graphql = new GatewayGraphqlClient({ url: gateway.url, timeoutMs: 3000 }, tokens);
    subscribers = new SubscriberGatewayClient(graphql);
  });

  afterAll(async () => {
    graphql.onModuleDestroy();
    await gateway.stop();
    await oidc.stop();
  });

  it('clientByPhoneNumber tells whether the client may announce', async () => {
    await expect(subscribers.clientByPhoneNumber('+15555550100')).resolves.toEqual({
      id: expect.any(String),
      name: 'Demo Coffee',
      slug: 'demo-coffee',
      locale: 'en-US',
      subscriptionActive: true,
    });
    await expect(subscribers.clientByPhoneNumber('+15555550110')).resolves.toMatchObject({ subscriptionActive: false });
    await expect(subscribers.clientByPhoneNumber('+15550000000')).resolves.toBeNull();
  });

  it('subscriberByPhoneNumber returns locale and clients ordered by name, across client pages', async () => {
    const subscriber = await subscribers.subscriberByPhoneNumber('+15555550102');
    expect(subscriber).toMatchObject({ id: encodeNodeId('Subscriber', demo.subscribers[1]!.id), locale: 'es-ES' });
    expect(subscriber?.clients.map((c) => c.name)).toEqual(['Corner Bakery', 'Demo Coffee']);
    await expect(subscribers.subscriberByPhoneNumber('+15550000001')).resolves.toBeNull();

    const many = demo.store.addSubscriber({ phoneNumber: '+15555550199', locale: 'en-US' });
    for (let i = 0; i < 150; i++)
      demo.store.subscribe(many.id, demo.store.addClient({ name: `Shop ${String(149 - i).padStart(3, '0')}` }).id);
    const names = (await subscribers.subscriberByPhoneNumber('+15555550199'))?.clients.map((c) => c.name);
    expect(names).toHaveLength(150);
    expect(names).toEqual([...names!].sort());
  });

  it('unsubscribe removes the subscription once; a repeat is not-subscribed', async () => {
    const subscriber = demo.store.addSubscriber({ phoneNumber: '+15555550177', clientIds: [demo.activeClient.id] });
    const found = await subscribers.subscriberByPhoneNumber('+15555550177');
    const coffee = found!.clients[0]!;
    await expect(subscribers.unsubscribe(found!.id, coffee.id)).resolves.toBe('unsubscribed');
    await expect(subscribers.unsubscribe(found!.id, coffee.id)).resolves.toBe('not-subscribed');
    expect(subscriber.clientIds.has(demo.activeClient.id)).toBe(false);
    await expect(subscribers.unsubscribe(found!.id, encodeNodeId('Client', '00000000-0000-4000-8000-000000000000'))).rejects.toMatchObject({
      errorType: 'ClientNotFoundError',
      notFound: true,
    });
  });
});
