// Against the real stand-ins (OIDC server and GraphQL test gateway, in-process), which enforce the
// gateway's 50-per-page limit.
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../../peers/oidc/oidc-server.js';
import { startGateway, type TestGateway } from '../../../../peers/gateway/gateway-server.js';
import { seedDemoData, type DemoData } from '../../../../peers/gateway/seed.js';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { OidcTokenProvider } from '@app/shared/oidc/oidc-token-provider.js';
import { PageStream } from './page-stream.js';
import { subscriberPageQuery } from './subscriber-page.query.js';
import { SubscriberPager, type PageSource, type Subscriber } from './subscriber-pager.js';

describe('SubscriberPager and PageStream (real OIDC server, real test gateway)', () => {
  let oidc: OidcServer;
  let gateway: TestGateway;
  let demo: DemoData;
  let pager: PageSource;

  beforeAll(async () => {
    oidc = await startOidcServer();
    demo = seedDemoData();
    gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, audience: 'nudges-gateway', store: demo.store });
    const tokens = new OidcTokenProvider({ serverUrl: oidc.serverUrl, realm: oidc.realm, ...DEFAULT_OIDC_CLIENT, timeoutMs: 2000 });
    const subscriberPager = new SubscriberPager(tokens, { url: gateway.url, timeoutMs: 3000 }, subscriberPageQuery());
    pager = (clientId, size, after) => subscriberPager.fetchPage(clientId, size, after);
  });

  afterAll(async () => {
    await gateway.stop();
    await oidc.stop();
  });

  async function readAll(stream: PageStream): Promise<{ subscribers: Subscriber[]; pages: number }> {
    const subscribers: Subscriber[] = [];
    let pages = 0;
    for (;;) {
      const page = await stream.next();
      pages += 1;
      subscribers.push(...page.subscribers);
      if (page.next === null) return { subscribers, pages };
    }
  }

  it('reads every subscriber with phone number and locale', async () => {
    const id = encodeNodeId('Client', demo.inactiveClient.id);
    const { subscribers } = await readAll(new PageStream(pager, id, 1, null));
    expect(subscribers).toEqual([{ id: expect.any(String), phoneNumber: '+15555550102', locale: 'es-ES' }]);
  });

  it('pages through 100,000 subscribers in pages of 50, one request per page, and can continue from a cursor', async () => {
    const big = demo.store.addClient({ name: 'Big Client', phoneNumber: '+15555550500' });
    demo.store.seedSubscribers(big.id, 100_000);
    const id = encodeNodeId('Client', big.id);
    const requestsBefore = gateway.requestCount();
    const { subscribers, pages } = await readAll(new PageStream(pager, id, 50, null, 8));
    expect(new Set(subscribers.map((s) => s.id)).size).toBe(100_000);
    expect(subscribers.filter((s) => s.locale === 'es-ES')).toHaveLength(10_000);
    expect(subscribers.filter((s) => !/^\+1999\d{7}$/.test(s.phoneNumber ?? ''))).toHaveLength(0);
    expect(pages).toBe(2000);
    expect(gateway.requestCount() - requestsBefore).toBe(2000);
    expect(gateway.largestPageRequested()).toBeLessThanOrEqual(50);

    const first = await new PageStream(pager, id, 50, null).next();
    const rest = await readAll(new PageStream(pager, id, 50, first.next));
    expect(rest.subscribers).toHaveLength(100_000 - 50);
    expect(rest.subscribers[0]!.id).toBe(subscribers[50]!.id);
  }, 60_000);

  it('a stream reads ahead at most its window and continues only where it stands', async () => {
    const id = encodeNodeId('Client', demo.activeClient.id);
    const stream = new PageStream(pager, id, 1, null, 2);
    expect(stream.continuesAt(null)).toBe(true);
    const page = await stream.next();
    expect(stream.continuesAt(null)).toBe(false);
    expect(stream.continuesAt(page.next)).toBe(page.next !== null);
  });

  it('a client the gateway does not know is a business error', async () => {
    const stream = new PageStream(pager, encodeNodeId('Client', '00000000-0000-4000-8000-000000000000'), 50, null);
    await expect(stream.next()).rejects.toBeInstanceOf(GatewayBusinessError);
    expect(stream.continuesAt(null)).toBe(false);
  });
});
