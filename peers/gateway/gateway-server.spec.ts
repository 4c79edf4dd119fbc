import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../oidc/oidc-server.js';
import { FailurePlan } from './failures.js';
import { startGateway, type TestGateway } from './gateway-server.js';
import { nodeId } from './resolvers.js';
import { GatewayStore } from './store.js';

describe('GraphQL gateway stand-in', () => {
  let oidc: OidcServer;
  let gateway: TestGateway;
  let token: string;

  const gql = async (query: string, variables: Record<string, unknown> = {}, auth = `Bearer ${token}`) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: auth },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, body: (json ? JSON.parse(text) : {}) as { data?: any; errors?: Array<{ message: string }> } };
  };

  beforeAll(async () => {
    oidc = await startOidcServer();
    gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, maxPageSize: 50, slowMs: 300 });
    const response = await fetch(oidc.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_OIDC_CLIENT.clientId, client_secret: DEFAULT_OIDC_CLIENT.clientSecret }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await gateway.stop();
    await oidc.stop();
  });

  it('answers 401 to requests without a token, with a garbage token, or with an unsigned one', async () => {
    const before = gateway.unauthorizedCount();
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"iss":"${oidc.issuer}"}`).toString('base64url')}.`;
    for (const auth of ['', 'Bearer nonsense', `Bearer ${unsigned}`, `Basic ${token}`]) {
      expect((await gql('{ __typename }', {}, auth)).status).toBe(401);
    }
    expect(gateway.unauthorizedCount() - before).toBe(4);
    expect((await gql('{ __typename }')).status).toBe(200);
  });

  it('pages a connection by index cursors with correct pageInfo, and enforces the max page size', async () => {
    const client = gateway.store.addClient({ name: 'Pager' });
    gateway.store.seedSubscribers(client.id, 120, { phonePrefix: '+1777' });
    const query = `query($id: ID!, $first: Int, $after: String) { client(id: $id) { subscribers(first: $first, after: $after, order: [{ id: ASC }]) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } nodes { phoneNumber } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body } = await gql(query, { id: nodeId('Client', client.id), first: 50, after });
      const page: any = body.data.client.subscribers;
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      expect(page.edges.at(-1).cursor).toBe(page.pageInfo.endCursor);
      seen.push(...page.edges.map((e: any) => e.node.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(120);
    expect(seen).toEqual([...seen].sort((a, b) => (Buffer.from(a, 'base64').toString() < Buffer.from(b, 'base64').toString() ? -1 : 1)));
    const tooBig = await gql(query, { id: nodeId('Client', client.id), first: 51 });
    expect(tooBig.body.errors?.[0]?.message).toMatch(/maximum allowed items per page/);
  });

  it('logs every mutation with its input and outcome', async () => {
    gateway.store.addPlan({ id: 70, name: 'Logged' });
    const mutation = 'mutation($input: PatchPlanInput!) { patchPlan(input: $input) { plan { name } errors { __typename } } }';
    await gql(mutation, { input: { id: 70, name: 'Renamed', isActive: true } });
    await gql(mutation, { input: { id: 71, name: 'Nope', isActive: true } });
    expect(gateway.mutations.slice(-2).map((m) => [m.field, m.outcome, m.errorType, m.input['id']])).toEqual([
      ['patchPlan', 'applied', undefined, 70],
      ['patchPlan', 'rejected', 'PlanNotFoundError', 71],
    ]);
    expect(gateway.store.plans.get(70)?.name).toBe('Renamed');
  });

  it('injects queued failures in order, then answers normally', async () => {
    gateway.failNext(1, 'http503');
    gateway.failNext(1, 'http429');
    gateway.failNext(1, 'businessError');
    expect((await gql('{ __typename }')).status).toBe(503);
    expect((await gql('{ __typename }')).status).toBe(429);
    const business = await gql('{ __typename }');
    expect([business.status, business.body.errors?.[0]?.message]).toEqual([200, 'Injected business error']);
    expect((await gql('{ __typename }')).status).toBe(200);
  });

  it('setDown resets connections (new and kept-alive) until it is back up', async () => {
    gateway.setDown(true);
    await expect(gql('{ __typename }')).rejects.toThrow();
    await expect(gql('{ __typename }')).rejects.toThrow();
    gateway.setDown(false);
    expect((await gql('{ __typename }')).status).toBe(200);
  });

  it('slow still applies the mutation after the delay', async () => {
    gateway.failNext(1, 'slow');
    const started = performance.now();
    const { body } = await gql('mutation { createPaymentConfirmation(input: { confirmationId: "in_slow", merchantServiceId: 1 }) { paymentConfirmation { confirmationCode } } }');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(body.data.createPaymentConfirmation.paymentConfirmation.confirmationCode).toBe('in_slow');
  });

  it('a seeded failure rate is deterministic and close to the rate', () => {
    const run = () => {
      const plan = new FailurePlan();
      plan.setFailureRate(0.2, 'http503', 42);
      return Array.from({ length: 1000 }, () => plan.next() ?? '-');
    };
    const first = run();
    expect(run()).toEqual(first);
    const failures = first.filter((m) => m === 'http503').length;
    expect(failures).toBeGreaterThan(150);
    expect(failures).toBeLessThan(250);
  });
});

describe('GatewayStore', () => {
  it('seeds 100,000 subscribers quickly and keeps paging order (by id) through unsubscribes', () => {
    const store = new GatewayStore();
    const client = store.addClient({ name: 'Big' });
    const started = performance.now();
    store.seedSubscribers(client.id, 100_000);
    const ids = store.subscriberIdsOf(client.id);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(ids).toHaveLength(100_000);
    const victim = ids[500]!;
    expect(store.unsubscribe(victim, client.id)).toBe(true);
    expect(store.unsubscribe(victim, client.id)).toBe(false);
    const after = store.subscriberIdsOf(client.id);
    expect(after).toHaveLength(99_999);
    expect(after.includes(victim)).toBe(false);
    expect(after[500]! > after[499]!).toBe(true);
    expect(store.subscriberByPhoneNumber('+19990000007')?.clientIds.has(client.id)).toBe(true);
  });
});
