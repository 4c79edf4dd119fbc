// `stripe:reconcile` against stripe-mock, and against a small proxy in front of it that answers the
// events list with realistic events in two pages (stripe-mock always answers one fixture event).
import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CapturedOutput } from '../../../apps/cli/src/cli-output.js';
import { runReconcile } from '../../../apps/cli/src/cli.runners.js';
import {
  priceObject,
  productObject,
  stripeEvent,
  stripeId,
  type StripeEventPayload,
} from '../../../apps/cli/src/simulate/stripe-events.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { seedDemoData } from '../../../peers/gateway/seed.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { baseWebhooksEnv } from '../../support/webhooks-app.js';
import { createTopics, ensureCliBuilt, RawReader, runCli, text, topicSize } from '../../support/cli/cli-support.js';

jest.setTimeout(60_000);

const HANDLED = [
  'checkout.session.async_payment_failed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.completed',
  'price.created',
  'price.deleted',
  'price.updated',
  'product.created',
  'product.deleted',
  'product.updated',
];

/** Serves GET /v1/events from `pages` (following starting_after); forwards nothing else. */
async function startEventsApi(pages: StripeEventPayload[][]): Promise<{ url: string; queries: URLSearchParams[]; server: Server }> {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' || url.pathname !== '/v1/events') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"type":"invalid_request_error","message":"not served"}}');
      return;
    }
    queries.push(url.searchParams);
    const after = url.searchParams.get('starting_after');
    const index = after ? pages.findIndex((p) => p.at(-1)?.id === after) + 1 : 0;
    const page = pages[index] ?? [];
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', url: '/v1/events', has_more: index < pages.length - 1, data: page }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries, server };
}

describe('stripe:reconcile', () => {
  const base = uniqueName('cli-reconcile');
  const topics = { payments: `${base}-payments`, foreignProducts: `${base}-foreign-products`, deadletter: `${base}-deadletter` };
  let peers: GatewayPeers;
  let reader: RawReader;
  let env: Record<string, string>;

  beforeAll(async () => {
    peers = await startGatewayPeers();
    seedDemoData(peers.gateway.store);
    await createTopics({ [topics.payments]: 1, [topics.foreignProducts]: 1, [topics.deadletter]: 1 });
    env = {
      ...baseWebhooksEnv(),
      ...peers.env,
      KAFKA_TOPIC_NOTIFICATIONS: `${base}-notifications`,
      KAFKA_TOPIC_PAYMENTS: topics.payments,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
      KAFKA_TOPIC_DEADLETTER: topics.deadletter,
      KAFKA_CREATE_TOPICS: 'false',
      REDIS_KEY_PREFIX: `${base}:`,
      LOG_LEVEL: 'warn',
    };
    reader = await RawReader.start(Object.values(topics));
  });

  afterAll(async () => {
    await reader?.stop();
    await peers?.stop();
  });

  const reconcile = async (since: string, extra: Record<string, string> = {}, options: { dryRun?: boolean } = {}) => {
    const out = new CapturedOutput();
    const code = await runReconcile({ ...env, ...extra }, since, options, out, false);
    return { code, out };
  };

  it('against stripe-mock: lists its fixture event, which is not of a handled type, and changes nothing, twice', async () => {
    for (let run = 0; run < 2; run++) {
      const { code, out } = await reconcile('0');
      expect(code).toBe(0);
      expect(out.lines[0]).toBe('1 event(s) of 9 handled types since 1970-01-01T00:00:00.000Z');
      expect(out.lines[1]).toMatch(/^evt_\w+ {2}plan\.created\s+2009-02-13T23:31:30\.000Z {2}not handled$/);
      expect(out.lines[2]).toBe('processed 0, already processed 0, not handled 1, failed 0');
    }
    expect(await topicSize(topics.foreignProducts)).toBe(0);
  });

  describe('with realistic events in two pages', () => {
    const since = 1_767_225_600; // 2026-01-01
    const newProduct = productObject({ name: 'Enterprise', description: 'Talk to sales' });
    const events = [
      stripeEvent('product.created', newProduct, { created: since + 30 }),
      stripeEvent('product.updated', productObject({ id: 'prod_demo_basic', name: 'Basic (2026)' }), { created: since + 20 }),
      stripeEvent(
        'price.updated',
        priceObject({ id: 'price_demo_pro_monthly', product: 'prod_demo_pro', unitAmount: 3199, nickname: 'Pro monthly' }),
        { created: since + 10 },
      ),
    ];
    let api: Awaited<ReturnType<typeof startEventsApi>>;

    beforeAll(async () => {
      api = await startEventsApi([events.slice(0, 2), events.slice(2)]); // newest first, as Stripe lists
    });
    afterAll(() => new Promise<void>((resolve) => api.server.close(() => resolve())));

    it('asks for the handled types since the time given, follows every page, and applies each event oldest first', async () => {
      const { code, out } = await reconcile('2026-01-01T00:00:00Z', { STRIPE_API_URL: api.url });
      expect(code).toBe(0);
      expect(api.queries).toHaveLength(2);
      expect(api.queries[0]?.get('created[gte]')).toBe(String(since));
      const types = [...(api.queries[0]?.entries() ?? [])].filter(([name]) => /^types\[\d*\]$/.test(name)).map(([, type]) => type);
      expect(types.sort()).toEqual(HANDLED);
      expect(api.queries[1]?.get('starting_after')).toBe(events[1]!.id);
      expect(out.lines.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual([events[2]!.id, events[1]!.id, events[0]!.id]);
      expect(out.lines.slice(1, 4).map((l) => l.split(/\s+/).at(-1))).toEqual(['processed', 'processed', 'processed']);
      expect(out.lines[4]).toBe('processed 3, already processed 0, not handled 0, failed 0');

      const [created] = await reader.waitFor(topics.foreignProducts, (m) => text(m.key)?.includes(newProduct.id) ?? false);
      expect(text(created?.value)).toContain('"$type":"foreignProduct.created"');
      const [synchronized] = await reader.waitFor(topics.foreignProducts, (m) => text(m.key)?.includes('prod_demo_basic') ?? false);
      expect(text(synchronized?.value)).toContain(`"PlanNodeId":"${encodeNodeId('Plan', 1)}"`);
      expect(peers.gateway.store.plans.get(1)?.name).toBe('Basic (2026)');
      expect([...peers.gateway.store.priceTiers.values()].find((t) => t.foreignServiceId === 'price_demo_pro_monthly')?.price).toBe(31.99);
    });

    it('a second run processes nothing new', async () => {
      const messages = await topicSize(topics.foreignProducts);
      const mutations = peers.gateway.mutations.length;
      const dry = await reconcile(String(since), { STRIPE_API_URL: api.url }, { dryRun: true });
      expect(dry.out.lines.at(-1)).toBe('would process 0, already processed 3, not handled 0, failed 0');

      const { code, out } = await reconcile(String(since), { STRIPE_API_URL: api.url });
      expect(code).toBe(0);
      expect(out.lines.slice(1, 4).every((l) => l.endsWith('already processed'))).toBe(true);
      expect(out.lines[4]).toBe('processed 0, already processed 3, not handled 0, failed 0');
      expect(await topicSize(topics.foreignProducts)).toBe(messages);
      expect(peers.gateway.mutations.length).toBe(mutations);
    });

    it('processes an event that arrived since, and only that one', async () => {
      const late = stripeEvent('product.created', productObject({ id: stripeId('prod'), name: 'Late' }), { created: since + 40 });
      api.server.close();
      const next = await startEventsApi([[late, ...events.slice(0, 2)], events.slice(2)]);
      try {
        const { out } = await reconcile(String(since), { STRIPE_API_URL: next.url });
        expect(out.lines.at(-1)).toBe('processed 1, already processed 3, not handled 0, failed 0');
        expect(out.lines.find((l) => l.startsWith(late.id))).toMatch(/processed$/);
      } finally {
        next.server.close();
      }
    });
  });

  it('refuses a --since it cannot read', async () => {
    await expect(reconcile('yesterday')).rejects.toThrow(/--since "yesterday"/);
  });

  describe('as a process (the built CLI, as npm run stripe:reconcile runs it)', () => {
    beforeAll(() => ensureCliBuilt(), 240_000);

    it('reconciles against stripe-mock and exits 0', async () => {
      const run = await runCli(['stripe-reconcile', '--since', '48h'], { ...env, STRIPE_API_URL: stackEnv().STRIPE_API_URL });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/processed 0, already processed 0, not handled 1, failed 0\n$/);
    });

    it('requires --since', async () => {
      const run = await runCli(['stripe-reconcile'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("required option '--since <time>' not specified");
    });
  });
});
