// Scenario 2, out of order: several updates of each product and price, delivered newest first
// (objects interleaved, 10 senders retrying as Stripe does). Every object must end in the state of
// its newest event, the older ones answered `stale` without touching the gateway.
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { jest } from '@jest/globals';
import { reportFigures } from '../../support/figures.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { uniqueName } from '../../support/stack.js';
import { outcomeOf } from '../../support/stripe/stripe-harness.js';
import {
  nowSeconds,
  priceObject,
  productObject,
  stripeEvent,
  stripeId,
  type StripeEventPayload,
} from '../../support/stripe/stripe-fixtures.js';
import {
  deliverUntilAcknowledged,
  is2xx,
  mapConcurrently,
  startWebhooksProcess,
  type RetriedDelivery,
  type WebhooksProcess,
} from '../../support/faults/webhooks-process.js';

const OBJECTS_PER_KIND = 40;
const VERSIONS = 5;
const CONCURRENCY = 10;

interface ObjectHistory {
  /** Update events, newest first (the delivery order). */
  newestFirst: StripeEventPayload[];
  /** `<field> <target>` of the mutation the newest event makes. */
  mutationKey: string;
  isNewest(): boolean;
}

jest.setTimeout(180_000);

describe('fault scenario 2: product and price updates delivered newest first', () => {
  const base = uniqueName('out-of-order');
  let peers: GatewayPeers;
  let webhooks: WebhooksProcess;

  beforeAll(async () => {
    peers = await startGatewayPeers();
    webhooks = await startWebhooksProcess(
      {
        ...peers.env,
        KAFKA_TOPIC_NOTIFICATIONS: `${base}-notifications`,
        KAFKA_TOPIC_PAYMENTS: `${base}-payments`,
        KAFKA_TOPIC_FOREIGN_PRODUCTS: `${base}-foreign-products`,
        KAFKA_TOPIC_DEADLETTER: `${base}-deadletter`,
        KAFKA_TOPIC_PARTITIONS: '1',
        REDIS_KEY_PREFIX: `${base}:`,
      },
      'stripe-out-of-order',
    );
  }, 120_000);

  afterAll(async () => {
    await webhooks?.stop();
    await peers?.stop();
  });

  const t0 = nowSeconds() - 600;
  const versions = Array.from({ length: VERSIONS }, (_, v) => v);

  function productHistory(i: number): ObjectHistory {
    const productId = stripeId('prod');
    const plan = peers.gateway.store.addPlan({ name: 'Original', foreignServiceId: productId });
    const nameOf = (v: number) => `Product ${i} v${v}`;
    const events = versions.map((v) =>
      stripeEvent('product.updated', productObject({ id: productId, name: nameOf(v) }), { created: t0 + v * 10 }),
    );
    return {
      newestFirst: events.reverse(),
      mutationKey: `patchPlan ${plan.id}`,
      isNewest: () => peers.gateway.store.plans.get(plan.id)?.name === nameOf(VERSIONS - 1),
    };
  }

  function priceHistory(i: number): ObjectHistory {
    const priceId = stripeId('price');
    const productId = stripeId('prod');
    const plan = peers.gateway.store.addPlan({ name: 'Priced', foreignServiceId: productId });
    const tier = peers.gateway.store.addPriceTier(plan.id, { name: 'Original', price: 1, foreignServiceId: priceId });
    const amountOf = (v: number) => 1000 + i * 10 + v;
    const events = versions.map((v) =>
      stripeEvent('price.updated', priceObject({ id: priceId, product: productId, unitAmount: amountOf(v), nickname: `v${v}` }), {
        created: t0 + v * 10,
      }),
    );
    return {
      newestFirst: events.reverse(),
      mutationKey: `patchPriceTier ${encodeNodeId('PriceTier', tier.id)}`,
      isNewest: () => peers.gateway.store.priceTiers.get(tier.id)?.price === amountOf(VERSIONS - 1) / 100,
    };
  }

  it('leaves every product and price in the state of its newest event', async () => {
    const histories = [
      ...Array.from({ length: OBJECTS_PER_KIND }, (_, i) => productHistory(i)),
      ...Array.from({ length: OBJECTS_PER_KIND }, (_, i) => priceHistory(i)),
    ];
    // Round-robin over the objects: every object's newest event first, then every second newest, …
    const deliveries = versions.flatMap((rank) => histories.map((h) => h.newestFirst[rank] as StripeEventPayload));
    const started = Date.now();
    const results: RetriedDelivery[] = await mapConcurrently(deliveries, CONCURRENCY, (event) =>
      deliverUntilAcknowledged(webhooks.stripeEndpoint, event),
    );
    const durationMs = Date.now() - started;

    const outcomes = results.map((r) => (is2xx(r.statuses.at(-1) ?? 0) ? outcomeOf({ status: 200, body: r.finalBody }) : 'unacknowledged'));
    const applied = new Map<string, number>();
    for (const m of peers.gateway.mutations) {
      if (m.outcome !== 'applied') continue;
      const key = `${m.field} ${String(m.input['id'])}`;
      applied.set(key, (applied.get(key) ?? 0) + 1);
    }
    const notNewest = histories.filter((h) => !h.isNewest()).length;
    const figures = {
      scenario: 'stripe-out-of-order',
      sent: deliveries.length,
      delivered: histories.length - notNewest,
      duplicated: histories.reduce((sum, h) => sum + Math.max(0, (applied.get(h.mutationKey) ?? 0) - 1), 0),
      lost: notNewest,
      deadLettered: outcomes.filter((o) => o === 'deadlettered').length,
      maxLatencyMs: Math.max(...results.map((r) => r.latencyMs)),
      objects: histories.length,
      versionsPerObject: VERSIONS,
      processed: outcomes.filter((o) => o === 'processed').length,
      stale: outcomes.filter((o) => o === 'stale').length,
      unacknowledged: outcomes.filter((o) => o === 'unacknowledged').length,
      retriedAnswers: results.reduce((sum, r) => sum + r.statuses.length - 1, 0),
      durationMs,
    };
    reportFigures('faults', figures);

    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.unacknowledged).toBe(0);
    expect(figures.deadLettered).toBe(0);
    expect(figures.processed).toBe(histories.length);
    expect(figures.stale).toBe(histories.length * (VERSIONS - 1));
    expect(histories.every((h) => applied.get(h.mutationKey) === 1)).toBe(true);
  });
});
