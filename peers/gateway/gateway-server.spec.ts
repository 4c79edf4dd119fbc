/* eslint-disable @typescript-eslint/no-explicit-any -- the specs walk arbitrary GraphQL answers field by field */
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
    gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, slowMs: 300 });
    const response = await fetch(oidc.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEFAULT_OIDC_CLIENT.clientId,
        client_secret: DEFAULT_OIDC_CLIENT.clientSecret,
      }),
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

  describe('HotChocolate paging limits (UsePaging defaults)', () => {
    let pager: { id: string };
    let fan: { phoneNumber: string | null };
    beforeAll(() => {
      pager = gateway.store.addClient({ name: 'Limits' });
      gateway.store.seedSubscribers(pager.id, 60, { phonePrefix: '+1666' });
      const clients = Array.from({ length: 3 }, (_, i) => gateway.store.addClient({ name: `Shop ${i}` }));
      fan = gateway.store.addSubscriber({ phoneNumber: '+16660009999', clientIds: clients.map((c) => c.id) });
    });
    beforeEach(() => gateway.resetPageRequests());

    const subscribersQuery = `query Page($id: ID!, $first: Int, $last: Int, $before: String) {
  client(id: $id) { id subscribers(first: $first, last: $last, before: $before, order: [{ id: ASC }]) { pageInfo { hasNextPage hasPreviousPage } nodes { id } } } }`;

    it('answers first: 51 with HTTP 200, the connection null and HC0051 carrying the requested and allowed items', async () => {
      const query = `query Fan($phone: String!) {
  subscriberByPhoneNumber(phoneNumber: $phone) {
    id
    clients(first: 51) { nodes { id } }
  }
}`;
      const { status, body } = await gql(query, { phone: fan.phoneNumber });
      expect(status).toBe(200);
      expect(body.data).toEqual({ subscriberByPhoneNumber: { id: expect.any(String), clients: null } });
      expect(body.errors).toEqual([
        {
          message: 'The maximum allowed items per page were exceeded.',
          locations: [{ line: 4, column: 5 }],
          path: ['subscriberByPhoneNumber', 'clients'],
          extensions: { code: 'HC0051', coordinate: 'Subscriber.clients', requestedItems: 51, maxAllowedItems: 50 },
        },
      ]);
    });

    it('applies the same limit to last, and accepts exactly 50', async () => {
      const id = nodeId('Client', pager.id);
      const tooMany = await gql(subscribersQuery, { id, last: 500 });
      expect(tooMany.status).toBe(200);
      expect(tooMany.body.data.client).toEqual({ id, subscribers: null });
      expect(tooMany.body.errors?.[0]).toMatchObject({
        path: ['client', 'subscribers'],
        extensions: { code: 'HC0051', requestedItems: 500, maxAllowedItems: 50 },
      });
      const fifty = await gql(subscribersQuery, { id, first: 50 });
      expect(fifty.body.errors).toBeUndefined();
      expect(fifty.body.data.client.subscribers.nodes).toHaveLength(50);
      const lastTen = await gql(subscribersQuery, { id, last: 10 });
      expect(lastTen.body.data.client.subscribers).toMatchObject({ pageInfo: { hasNextPage: false, hasPreviousPage: true } });
      expect(lastTen.body.data.client.subscribers.nodes).toHaveLength(10);
    });

    it('gives 10 items when neither first nor last is given', async () => {
      const { body } = await gql(subscribersQuery, { id: nodeId('Client', pager.id) });
      expect(body.data.client.subscribers.nodes).toHaveLength(10);
      expect(body.data.client.subscribers.pageInfo.hasNextPage).toBe(true);
    });

    it('records every connection request and the largest first/last asked for', async () => {
      expect(gateway.largestPageRequested()).toBe(0);
      const id = nodeId('Client', pager.id);
      await gql(subscribersQuery, { id, first: 7 });
      await gql(subscribersQuery, { id });
      await gql(subscribersQuery, { id, last: 120 });
      expect(gateway.pageRequests()).toEqual([
        { coordinate: 'Client.subscribers', first: 7 },
        { coordinate: 'Client.subscribers' },
        { coordinate: 'Client.subscribers', last: 120 },
      ]);
      expect(gateway.largestPageRequested()).toBe(120);
      gateway.resetPageRequests();
      expect([gateway.pageRequests(), gateway.largestPageRequested()]).toEqual([[], 0]);
    });
  });

  describe('injected HotChocolate errors', () => {
    const lookup = 'query Who($phone: String!) {\n  clientByPhoneNumber(phoneNumber: $phone) { id }\n}';
    const create =
      'mutation { createPaymentConfirmation(input: { confirmationId: "in_injected", merchantServiceId: 1 }) { paymentConfirmation { id } } }';

    it('executionError: 200, the root field null, "Unexpected Execution Error" with location and path, no code', async () => {
      gateway.failNext(1, 'executionError');
      const { status, body } = await gql(lookup, { phone: '+15555550100' });
      expect(status).toBe(200);
      expect(body).toEqual({
        errors: [{ message: 'Unexpected Execution Error', locations: [{ line: 2, column: 3 }], path: ['clientByPhoneNumber'] }],
        data: { clientByPhoneNumber: null },
      });
    });

    it('executionError on a non-null root field nulls all of data, and the mutation does not run', async () => {
      const before = gateway.mutations.length;
      gateway.failNext(1, 'executionError');
      const { status, body } = await gql(create);
      expect(status).toBe(200);
      expect(body).toEqual({
        errors: [{ message: 'Unexpected Execution Error', locations: [{ line: 1, column: 12 }], path: ['createPaymentConfirmation'] }],
        data: null,
      });
      expect(gateway.mutations.length).toBe(before);
      expect(gateway.store.paymentConfirmationByCode('in_injected')).toBeUndefined();
    });

    it('notAuthorized: 200, the root field null, AUTH_NOT_AUTHORIZED', async () => {
      gateway.failNext(1, 'notAuthorized');
      const { status, body } = await gql(lookup, { phone: '+15555550100' });
      expect(status).toBe(200);
      expect(body).toEqual({
        errors: [
          {
            message: 'The current user is not authorized to access this resource.',
            locations: [{ line: 2, column: 3 }],
            path: ['clientByPhoneNumber'],
            extensions: { code: 'AUTH_NOT_AUTHORIZED' },
          },
        ],
        data: { clientByPhoneNumber: null },
      });
    });

    it('validationError: 400, no data, no path, the spec rule in extensions', async () => {
      gateway.failNext(1, 'validationError');
      const { status, body } = await gql(lookup, { phone: '+15555550100' });
      expect(status).toBe(400);
      expect(body).toEqual({
        errors: [
          {
            message: 'The field `clientByPhoneNumber` does not exist on the type `Query`.',
            locations: [{ line: 2, column: 3 }],
            extensions: {
              type: 'Query',
              field: 'clientByPhoneNumber',
              responseName: 'clientByPhoneNumber',
              specifiedBy: 'https://spec.graphql.org/October2021/#sec-Field-Selections-on-Objects-Interfaces-and-Unions-Types',
            },
          },
        ],
      });
      expect((await gql(lookup, { phone: '+15555550100' })).body.data).not.toBeNull();
    });
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
    gateway.failNext(1, 'executionError');
    expect((await gql('{ __typename }')).status).toBe(503);
    expect((await gql('{ __typename }')).status).toBe(429);
    const execution = await gql('{ __typename }');
    expect([execution.status, execution.body.errors?.[0]?.message]).toEqual([200, 'Unexpected Execution Error']);
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
    const { body } = await gql(
      'mutation { createPaymentConfirmation(input: { confirmationId: "in_slow", merchantServiceId: 1 }) { paymentConfirmation { confirmationCode } } }',
    );
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
