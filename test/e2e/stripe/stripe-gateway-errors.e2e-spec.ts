// A checkout whose gateway request is answered with GraphQL errors, in HotChocolate's shapes: an
// execution error without a code may not recur (500, Stripe's retry succeeds); AUTH_NOT_AUTHORIZED
// would (dead-lettered as permanent, acknowledged with 200).
import Stripe from 'stripe';
import { stackEnv } from '../../support/stack.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { checkoutSessionObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

describe('Stripe checkout when the gateway answers with GraphQL errors', () => {
  let h: StripeHarness;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-gateway-errors');
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    const purchasedPriceId = (await stripe.checkout.sessions.listLineItems('cs_test_probe')).data[0]?.price?.id ?? '';
    const plan = h.gateway.store.addPlan({ name: 'Nudges Pro', foreignServiceId: stripeId('prod') });
    h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 10, foreignServiceId: purchasedPriceId });
  });
  afterAll(() => h?.stop());

  function checkoutEvent() {
    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: `Client ${customerId}`, customerId });
    const session = checkoutSessionObject({ customer: customerId });
    return { client, invoiceId: session.invoice as string, event: stripeEvent('checkout.session.completed', session) };
  }
  const subscriptionsCreatedFor = (clientId: string) =>
    h.gateway.mutations.filter(
      (m) => m.field === 'createPlanSubscription' && m.outcome === 'applied' && String(m.input['clientId']).toLowerCase() === clientId,
    );

  it('"Unexpected Execution Error" (no code): 500 without a dead letter, and the redelivery is processed once', async () => {
    const { client, invoiceId, event } = checkoutEvent();
    h.gateway.failNext(1, 'executionError');
    const first = await deliver(h.endpoint, event);
    expect(first.status).toBe(500);
    expect(first.body).toBe('Internal Server Error');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeUndefined();

    const retried = await deliver(h.endpoint, event);
    expect(retried.status).toBe(200);
    expect(outcomeOf(retried)).toBe('processed');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeDefined();
    expect(subscriptionsCreatedFor(client.id)).toHaveLength(1);
    expect(await h.kafka.count(h.topics.deadletter)).toBe(0);
  });

  it('AUTH_NOT_AUTHORIZED: permanent, dead-lettered (stripe.gateway-refused) and acknowledged for good', async () => {
    const { client, invoiceId, event } = checkoutEvent();
    h.gateway.failNext(1, 'notAuthorized');
    const res = await deliver(h.endpoint, event);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('deadlettered');
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(record?.value).toContain('stripe.gateway-refused');
    expect(record?.value).toContain('AUTH_NOT_AUTHORIZED');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeUndefined();
    expect(subscriptionsCreatedFor(client.id)).toHaveLength(0);
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('duplicate');
  });
});
