// Scenario 1, Stripe storm: 1,000 distinct events of all seven handled types, each delivered three
// times in a shuffled order by 20 concurrent senders that retry every non-2xx answer as Stripe does,
// while the gateway answers 503 to 10 % of its calls. The webhooks app runs as its own process.
import { seededRandom } from '../../../peers/gateway/failures.js';
import { jest } from '@jest/globals';
import { reportFigures } from '../../support/figures.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { uniqueName } from '../../support/stack.js';
import { KafkaReader } from '../../support/stripe/kafka-reader.js';
import {
  deliverUntilAcknowledged,
  is2xx,
  mapConcurrently,
  shuffled,
  startWebhooksProcess,
  type WebhooksProcess,
} from '../../support/faults/webhooks-process.js';
import { auditMutations, planStorm, stripeMockPurchasedPriceId, STORM_TYPES } from '../../support/faults/webhooks-stripe-world.js';

const EVENTS = 1000;
const COPIES = 3;
const CONCURRENCY = 20;
const GATEWAY_503_RATE = 0.1;

jest.setTimeout(180_000);

describe('fault scenario 1: Stripe storm', () => {
  const base = uniqueName('storm');
  const topics = { payments: `${base}-payments`, foreignProducts: `${base}-foreign-products`, deadletter: `${base}-deadletter` };
  let peers: GatewayPeers;
  let webhooks: WebhooksProcess;
  let kafka: KafkaReader;

  beforeAll(async () => {
    peers = await startGatewayPeers();
    webhooks = await startWebhooksProcess(
      {
        ...peers.env,
        KAFKA_TOPIC_NOTIFICATIONS: `${base}-notifications`,
        KAFKA_TOPIC_PAYMENTS: topics.payments,
        KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
        KAFKA_TOPIC_DEADLETTER: topics.deadletter,
        KAFKA_TOPIC_PARTITIONS: '1',
        REDIS_KEY_PREFIX: `${base}:`,
      },
      'stripe-storm',
    );
    kafka = await KafkaReader.start(Object.values(topics));
  }, 120_000);

  afterAll(async () => {
    await kafka?.stop();
    await webhooks?.stop();
    await peers?.stop();
  });

  it('applies every event exactly once and acknowledges every delivery', async () => {
    const planned = planStorm(peers.gateway, EVENTS, await stripeMockPurchasedPriceId());
    const deliveries = shuffled(
      planned.flatMap((p) => Array.from({ length: COPIES }, () => p.event)),
      seededRandom(6),
    );
    peers.gateway.setFailureRate(GATEWAY_503_RATE, 'http503', 6);
    const started = Date.now();
    const results = await mapConcurrently(deliveries, CONCURRENCY, (event) => deliverUntilAcknowledged(webhooks.stripeEndpoint, event));
    const durationMs = Date.now() - started;
    peers.gateway.setFailureRate(0, 'http503');

    const problems = planned.map((p) => p.check()).filter((why): why is string => why !== null);
    const audit = auditMutations(peers.gateway, planned);
    const answers = results.flatMap((r) => r.statuses);
    const countOf = (status: number) => answers.filter((s) => s === status).length;
    const perType = (type: string) => planned.filter((p) => p.event.type === type).length;
    const expectedProductMessages = perType('product.created') + perType('product.updated');
    const figures = {
      scenario: 'stripe-storm',
      sent: EVENTS,
      delivered: EVENTS - problems.length,
      duplicated: audit.duplicated,
      lost: problems.length,
      deadLettered: await kafka.count(topics.deadletter),
      maxLatencyMs: Math.max(...results.map((r) => r.latencyMs)),
      deliveries: deliveries.length,
      attempts: answers.length,
      unacknowledged: results.filter((r) => !is2xx(r.statuses.at(-1) ?? 0)).length,
      answered500: countOf(500),
      answered409: countOf(409),
      answeredOther: answers.filter((s) => !is2xx(s) && s !== 500 && s !== 409).length,
      missingMutations: audit.missing,
      unexpectedMutations: audit.unexpected,
      gatewayRequests: peers.gateway.requestCount(),
      paymentsPublished: await kafka.count(topics.payments),
      productMessagesPublished: await kafka.count(topics.foreignProducts),
      durationMs,
      deliveriesPerSec: Math.round((answers.length / durationMs) * 1000),
      types: STORM_TYPES.length,
      webhooksPid: webhooks.proc.pid,
    };
    reportFigures('faults', figures);

    expect(problems.slice(0, 5)).toEqual([]);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.missingMutations).toBe(0);
    expect(figures.unexpectedMutations).toBe(0);
    expect(figures.unacknowledged).toBe(0);
    expect(figures.deadLettered).toBe(0);
    expect(figures.answered500).toBeGreaterThan(0); // the 503s did reach the app: the retries were exercised
    expect(figures.paymentsPublished).toBe(perType('checkout.session.completed'));
    expect(figures.productMessagesPublished).toBe(expectedProductMessages);
    expect(new Set(planned.map((p) => p.event.type)).size).toBe(STORM_TYPES.length);
  });
});
