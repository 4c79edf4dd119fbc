// A checkout may sell more than the plan (a setup fee, an add-on). The plan is the line item whose
// price is a Nudges price tier, wherever it is; several plan prices in one checkout is a permanent
// error naming them. Before, the first line item was taken as the plan.
import { listLineItems } from '../../support/stripe/checkout-line-items.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { checkoutSessionObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

describe('Stripe checkout with several line items', () => {
  let h: StripeHarness;
  const planPrice = stripeId('price');
  const otherPlanPrice = stripeId('price');

  beforeAll(async () => {
    h = await startStripeHarness('stripe-line-items', { stripeProxy: true });
    const plan = h.gateway.store.addPlan({ name: 'Nudges Pro', foreignServiceId: stripeId('prod') });
    h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 29, foreignServiceId: planPrice });
    const other = h.gateway.store.addPlan({ name: 'Nudges Basic', foreignServiceId: stripeId('prod') });
    h.gateway.store.addPriceTier(other.id, { name: 'Monthly', price: 9, foreignServiceId: otherPlanPrice });
  });
  afterAll(() => h.stop());

  /** A client's checkout whose line items (as stripe-mock lists them) have `priceIds`. */
  function checkout(priceIds: string[]) {
    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: `Client ${customerId}`, customerId });
    const session = checkoutSessionObject({ customer: customerId });
    listLineItems(h.stripeProxy!, session.id, priceIds);
    return { client, invoiceId: session.invoice as string, event: stripeEvent('checkout.session.completed', session) };
  }

  it('subscribes the client to the plan price, not to the setup fee listed first', async () => {
    const { client, invoiceId, event } = checkout([stripeId('price'), planPrice, stripeId('price')]);
    const res = await deliver(h.endpoint, event);
    expect(outcomeOf(res)).toBe('processed');
    const confirmation = h.gateway.store.paymentConfirmationByCode(invoiceId);
    const subscriptions = h.gateway.mutations.filter((m) => m.field === 'createPlanSubscription' && m.input['clientId'] === client.id);
    expect(subscriptions.map((m) => [m.outcome, m.input])).toEqual([
      ['applied', { clientId: client.id, paymentConfirmationId: confirmation?.id, priceTierForeignServiceId: planPrice }],
    ]);
    const [message] = await h.kafka.waitFor(h.topics.payments, (m) => m.value?.includes(confirmation?.id ?? '?') ?? false);
    expect(JSON.parse(message?.value ?? '{}')).toMatchObject({ PriceForeignServiceId: planPrice });
  });

  it('dead-letters a checkout of two plan prices (stripe.several-plan-prices), naming both, recording nothing', async () => {
    const fee = stripeId('price');
    const { invoiceId, event } = checkout([planPrice, fee, otherPlanPrice]);
    const res = await deliver(h.endpoint, event);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('deadlettered');
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({
      ReasonCode: 'stripe.several-plan-prices',
      ExceptionMessage: `checkout session ${event.data.object.id} buys several Nudges plan prices: ${planPrice}, ${otherPlanPrice}`,
    });
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeUndefined();
  });
});
