// Delayed payment methods (ACH, SEPA, Bacs, Boleto...): the checkout completes `unpaid`, and
// `checkout.session.async_payment_succeeded` (or `..._failed`) follows days later. Before, the
// unpaid checkout was acknowledged as `skipped` and the async events were `ignored`: the customer
// paid and never got a plan.
import Stripe from 'stripe';
import { deliverUntilAcknowledged } from '../../support/faults/webhooks-process.js';
import { stackEnv } from '../../support/stack.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { checkoutSessionObject, stripeEvent, stripeId, type CheckoutFields } from '../../support/stripe/stripe-fixtures.js';

const PAYMENTS = 'nudges_stripe_checkout_payments_total';

describe('Stripe checkouts paid by a delayed method', () => {
  let h: StripeHarness;
  /** The price id stripe-mock lists for every session's line items (its fixture). */
  let purchasedPriceId: string;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-async-payments');
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    purchasedPriceId = (await stripe.checkout.sessions.listLineItems('cs_test_probe')).data[0]?.price?.id ?? '';
    const plan = h.gateway.store.addPlan({ name: 'Nudges Pro', foreignServiceId: stripeId('prod') });
    h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 10, foreignServiceId: purchasedPriceId });
  });
  afterAll(() => h.stop());

  /** One session of a new client, and its events as Stripe sends them (each a distinct event id). */
  function session() {
    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: `Client ${customerId}`, customerId });
    const base = checkoutSessionObject({ customer: customerId, paymentStatus: 'unpaid' });
    const as = (type: string, paymentStatus: NonNullable<CheckoutFields['paymentStatus']>) =>
      stripeEvent(type, { ...base, payment_status: paymentStatus, payment_method_types: ['us_bank_account'] });
    return {
      client,
      invoiceId: base.invoice as string,
      completedUnpaid: as('checkout.session.completed', 'unpaid'),
      completedPaid: as('checkout.session.completed', 'paid'),
      succeeded: as('checkout.session.async_payment_succeeded', 'paid'),
      failed: as('checkout.session.async_payment_failed', 'unpaid'),
    };
  }

  const metrics = () => h.metrics();
  const confirmationOf = (invoiceId: string) => h.gateway.store.paymentConfirmationByCode(invoiceId);
  /** Every payments message produced so far (the app publishes before it answers), read back. */
  const allPayments = async () => h.kafka.waitFor(h.topics.payments, () => true, await h.kafka.count(h.topics.payments));

  /** The session is recorded exactly once: one confirmation, one subscription, one payment.completed. */
  async function expectRecordedOnce(clientId: string, invoiceId: string) {
    expect(
      h.gateway.mutations.filter((m) => m.field === 'createPaymentConfirmation' && m.input['confirmationId'] === invoiceId),
    ).toHaveLength(1);
    const confirmation = confirmationOf(invoiceId);
    expect(h.gateway.store.planSubscriptionsByPaymentConfirmation(confirmation?.id ?? '')).toEqual([
      expect.objectContaining({ clientId, paymentConfirmationId: confirmation?.id }),
    ]);
    const messages = (await allPayments()).filter((m) => m.value?.includes(confirmation?.id ?? '?'));
    expect(messages.map((m) => JSON.parse(m.value ?? '{}'))).toEqual([
      { $type: 'payment.completed', ClientId: clientId, PriceForeignServiceId: purchasedPriceId, PaymentConfirmationId: confirmation?.id },
    ]);
  }

  it('completed unpaid waits (pending, nothing recorded); async_payment_succeeded then records it like a paid checkout', async () => {
    const s = session();
    const before = await metrics();
    const waiting = await deliver(h.endpoint, s.completedUnpaid);
    expect(waiting.status).toBe(200);
    expect(outcomeOf(waiting)).toBe('pending');
    expect(confirmationOf(s.invoiceId)).toBeUndefined();

    const paid = await deliver(h.endpoint, s.succeeded);
    expect(paid.status).toBe(200);
    expect(outcomeOf(paid)).toBe('processed');
    expect(h.gateway.store.clients.get(s.client.id)?.subscriptionId).not.toBeNull();
    await expectRecordedOnce(s.client.id, s.invoiceId);
    const after = await metrics();
    expect(after.delta(before, PAYMENTS, { result: 'pending' })).toBe(1);
    expect(after.delta(before, PAYMENTS, { result: 'async_succeeded' })).toBe(1);
  });

  it('async_payment_failed is acknowledged, counted, and creates nothing', async () => {
    const s = session();
    const [before, mutations, payments] = [await metrics(), h.gateway.mutations.length, await h.kafka.count(h.topics.payments)];
    expect(outcomeOf(await deliver(h.endpoint, s.completedUnpaid))).toBe('pending');
    const failed = await deliver(h.endpoint, s.failed);
    expect(failed.status).toBe(200);
    expect(outcomeOf(failed)).toBe('processed');
    expect((await metrics()).delta(before, PAYMENTS, { result: 'async_failed' })).toBe(1);
    expect(h.gateway.mutations.length).toBe(mutations);
    expect(await h.kafka.count(h.topics.payments)).toBe(payments);
    expect(confirmationOf(s.invoiceId)).toBeUndefined();
  });

  it('records the session once when async_payment_succeeded comes before the unpaid completed event', async () => {
    const s = session();
    expect(outcomeOf(await deliver(h.endpoint, s.succeeded))).toBe('processed');
    expect(outcomeOf(await deliver(h.endpoint, s.completedUnpaid))).toBe('pending');
    await expectRecordedOnce(s.client.id, s.invoiceId);
  });

  it('records the session once when two paid events of it arrive (a paid completed and async_payment_succeeded)', async () => {
    const s = session();
    expect(outcomeOf(await deliver(h.endpoint, s.completedPaid))).toBe('processed');
    const second = await deliver(h.endpoint, s.succeeded);
    expect(second.status).toBe(200);
    expect(outcomeOf(second)).toBe('duplicate');
    await expectRecordedOnce(s.client.id, s.invoiceId);
  });

  it('records the session once when its two paid events are delivered at the same time, retried as Stripe does', async () => {
    const s = session();
    h.gateway.failNext(1, 'slow'); // the first gateway call takes 400 ms, so the deliveries overlap
    const results = await Promise.all([
      deliverUntilAcknowledged(h.endpoint, s.completedPaid),
      deliverUntilAcknowledged(h.endpoint, s.succeeded),
    ]);
    const outcomes = results.map((r) => outcomeOf({ status: 200, body: r.finalBody })).sort();
    expect(outcomes).toEqual(['duplicate', 'processed']);
    await expectRecordedOnce(s.client.id, s.invoiceId);
  });
});
