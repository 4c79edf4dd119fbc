// End to end against the real stand-ins (OIDC server and GraphQL test gateway, in-process).
import { seedDemoData, type DemoData } from '../../../../peers/gateway/seed.js';
import { startGatewayClient } from '../../../../test/support/gateway-peers.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { SubscriberGatewayClient } from './subscriber-gateway.client.js';

describe('SubscriberGatewayClient end to end (real OIDC server, real test gateway)', () => {
  let peers: Awaited<ReturnType<typeof startGatewayClient>>;
  let demo: DemoData;
  let subscribers: SubscriberGatewayClient;

  beforeAll(async () => {
    demo = seedDemoData();
    peers = await startGatewayClient(demo.store);
    subscribers = new SubscriberGatewayClient(peers.graphql);
  });

  afterAll(() => peers.stop());

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
