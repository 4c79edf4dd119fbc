import Stripe from 'stripe';
import { KafkaProducerService } from '@app/shared/kafka/kafka-producer.service.js';
import { stackEnv } from '../../support/stack.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { checkoutSessionObject, nowSeconds, productObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

describe('Stripe webhooks when a dependency is unavailable: 500 now, the redelivery succeeds', () => {
  let h: StripeHarness;
  let purchasedPriceId: string;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-outages', { stripeProxy: true });
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    purchasedPriceId = (await stripe.checkout.sessions.listLineItems('cs_test_probe')).data[0]?.price?.id ?? '';
    const plan = h.gateway.store.addPlan({ name: 'Nudges Pro', foreignServiceId: stripeId('prod') });
    h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 10, foreignServiceId: purchasedPriceId });
  });
  afterAll(() => h.stop());

  function checkoutEvent() {
    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: `Client ${customerId}`, customerId });
    const session = checkoutSessionObject({ customer: customerId });
    return { client, invoiceId: session.invoice as string, event: stripeEvent('checkout.session.completed', session) };
  }

  const expectServerError = (res: { status: number; body: string }) => {
    expect(res.status).toBe(500);
    expect(res.body).toBe('Internal Server Error');
  };

  it('OIDC down: 500 without touching anything, then processed once it is back', async () => {
    const { invoiceId, event } = checkoutEvent();
    h.gateway.revokeTokensSeenSoFar(); // a cached token would hide the outage; make the app fetch a new one
    h.oidc.setDown(true);
    try {
      expectServerError(await deliver(h.endpoint, event));
    } finally {
      h.oidc.setDown(false);
    }
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeUndefined();
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeDefined();
  });

  it('gateway unreachable: 500, then processed once it is back', async () => {
    const { invoiceId, event } = checkoutEvent();
    h.gateway.setDown(true);
    try {
      expectServerError(await deliver(h.endpoint, event));
    } finally {
      h.gateway.setDown(false);
    }
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeDefined();
  });

  it('Stripe API 5xx: 500, then processed once it answers again', async () => {
    const { invoiceId, event } = checkoutEvent();
    h.stripeProxy?.fail({ match: (r) => r.path.includes('/line_items'), times: 1, when: 'before', status: 503 });
    expectServerError(await deliver(h.endpoint, event));
    expect(h.stripeProxy?.failedCount()).toBe(1);
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeDefined();
  });

  it('Stripe API 404 for the session: permanent, dead-lettered (stripe.api-object-not-found)', async () => {
    const { event } = checkoutEvent();
    h.stripeProxy?.fail({
      match: (r) => r.path.includes('/line_items'),
      times: 1,
      when: 'before',
      status: 404,
      body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such checkout.session' } }),
    });
    const res = await deliver(h.endpoint, event);
    expect(outcomeOf(res)).toBe('deadlettered');
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({ ReasonCode: 'stripe.api-object-not-found' });
  });

  it('Kafka unavailable: 500, and the redelivery publishes exactly once', async () => {
    const producer = h.webhooks.app.get(KafkaProducerService, { strict: false });
    const product = productObject();
    const event = stripeEvent('product.created', product);
    await producer.onApplicationShutdown(); // the producer loses its broker connections
    try {
      expectServerError(await deliver(h.endpoint, event));
    } finally {
      await producer.onModuleInit();
    }
    expect(await h.kafka.count(h.topics.foreignProducts)).toBe(0);
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    await h.kafka.waitFor(h.topics.foreignProducts, (m) => m.key?.includes(product.id) ?? false);
    expect(await h.kafka.count(h.topics.foreignProducts)).toBe(1);
  });

  it('a permanent failure whose dead letter cannot be written is not acknowledged (500)', async () => {
    const producer = h.webhooks.app.get(KafkaProducerService, { strict: false });
    // No plan linked, and older than the not-yet-synced grace: a dead letter.
    const event = stripeEvent('product.updated', productObject(), { created: nowSeconds() - 2 * 3600 });
    await producer.onApplicationShutdown();
    try {
      expectServerError(await deliver(h.endpoint, event));
    } finally {
      await producer.onModuleInit();
    }
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('deadlettered');
  });
});
