// Stripe sends a product's, a price's and a checkout's events concurrently and in no fixed order. An
// event whose object depends on one not synced yet answers 500 (Stripe retries) during the grace
// period from its `created` (default 1 h), and is applied by the retry once the other one is in;
// after the grace it is dead-lettered. Before this, each was dead-lettered at once and acknowledged,
// so Stripe never retried: a price tier never created, and a customer who paid with no plan.
import { listLineItems } from '../../support/stripe/checkout-line-items.js';
import { deliver, outcomeOf, startStripeHarness, type Delivery, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import {
  checkoutSessionObject,
  nowSeconds,
  priceObject,
  productObject,
  stripeEvent,
  stripeId,
} from '../../support/stripe/stripe-fixtures.js';

const NOT_YET_SYNCED = 'nudges_stripe_events_not_yet_synced_total';

describe('Stripe events whose object depends on one not synced yet', () => {
  let h: StripeHarness;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-not-yet-synced', { stripeProxy: true });
  });
  afterAll(() => h.stop());

  const deadLetters = () => h.kafka.count(h.topics.deadletter);
  const metrics = () => h.metrics();
  const expectRetryAnswer = (res: Delivery) => {
    expect(res.status).toBe(500);
    expect(res.body).toBe('Internal Server Error');
  };

  /** A Nudges plan not yet linked to any Stripe product, and the product.created that links it. */
  function unlinkedPlan() {
    const plan = h.gateway.store.addPlan({ name: 'Placeholder', isActive: true });
    const product = productObject({ name: 'Nudges Team', metadata: { planId: String(plan.id) } });
    return { plan, product, productCreated: stripeEvent('product.created', product) };
  }

  it('price.created before its product is linked: 500 and no dead letter; applied on the retry once linked; a checkout of that price then subscribes the client', async () => {
    const { plan, product, productCreated } = unlinkedPlan();
    const price = priceObject({ product: product.id, nickname: 'Team monthly', unitAmount: 1500 });
    const priceCreated = stripeEvent('price.created', price);
    const [letters, before] = [await deadLetters(), await metrics()];

    expectRetryAnswer(await deliver(h.endpoint, priceCreated));
    expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([]);
    expect(await deadLetters()).toBe(letters);
    expect((await metrics()).delta(before, NOT_YET_SYNCED, { type: 'price.created', outcome: 'retried' })).toBe(1);

    expect(outcomeOf(await deliver(h.endpoint, productCreated))).toBe('processed');
    const retried = await deliver(h.endpoint, priceCreated); // Stripe's retry of the same event
    expect(retried.status).toBe(200);
    expect(outcomeOf(retried)).toBe('processed');
    expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([
      expect.objectContaining({ foreignServiceId: price.id, name: 'Team monthly', price: 15, status: 'ACTIVE' }),
    ]);

    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: 'Team buyer', customerId });
    const session = checkoutSessionObject({ customer: customerId });
    listLineItems(h.stripeProxy!, session.id, [price.id]);
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('checkout.session.completed', session)))).toBe('processed');
    const confirmation = h.gateway.store.paymentConfirmationByCode(session.invoice as string);
    expect(h.gateway.store.planSubscriptionsByPaymentConfirmation(confirmation?.id ?? '')).toEqual([
      expect.objectContaining({ clientId: client.id }),
    ]);
    expect(await deadLetters()).toBe(letters);
  });

  it('a checkout of a price whose tier is not synced yet: 500, nothing recorded; processed once price.created is applied', async () => {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name: 'Solo', foreignServiceId: productId });
    const price = priceObject({ product: productId, unitAmount: 900 });
    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: 'Early buyer', customerId });
    const session = checkoutSessionObject({ customer: customerId });
    listLineItems(h.stripeProxy!, session.id, [price.id]);
    const checkout = stripeEvent('checkout.session.completed', session);
    const letters = await deadLetters();

    expectRetryAnswer(await deliver(h.endpoint, checkout));
    expect(h.gateway.store.paymentConfirmationByCode(session.invoice as string)).toBeUndefined();
    expect(await deadLetters()).toBe(letters);

    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('price.created', price)))).toBe('processed');
    expect(outcomeOf(await deliver(h.endpoint, checkout))).toBe('processed');
    const [tier] = h.gateway.store.priceTiersOf(plan.id);
    expect(tier?.foreignServiceId).toBe(price.id);
    const confirmation = h.gateway.store.paymentConfirmationByCode(session.invoice as string);
    expect(h.gateway.store.planSubscriptionsByPaymentConfirmation(confirmation?.id ?? '')).toEqual([
      expect.objectContaining({ clientId: client.id }),
    ]);
  });

  it('price.updated before price.created: 500; then the create, then the retried update, both applied', async () => {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name: 'Duo', foreignServiceId: productId });
    const priceId = stripeId('price');
    const t = nowSeconds() - 60;
    const created = stripeEvent('price.created', priceObject({ id: priceId, product: productId, unitAmount: 1000, nickname: 'v1' }), {
      created: t,
    });
    const updated = stripeEvent('price.updated', priceObject({ id: priceId, product: productId, unitAmount: 1200, nickname: 'v2' }), {
      created: t + 5,
      previousAttributes: { nickname: 'v1' },
    });
    const letters = await deadLetters();

    expectRetryAnswer(await deliver(h.endpoint, updated));
    expect(await deadLetters()).toBe(letters);
    expect(outcomeOf(await deliver(h.endpoint, created))).toBe('processed');
    expect(outcomeOf(await deliver(h.endpoint, updated))).toBe('processed');
    expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([expect.objectContaining({ foreignServiceId: priceId, name: 'v2', price: 12 })]);
  });

  it('product.updated of a product no plan is linked to yet: 500; applied once a plan is linked to it', async () => {
    const productId = stripeId('prod');
    const updated = stripeEvent('product.updated', productObject({ id: productId, name: 'Renamed' }));
    expectRetryAnswer(await deliver(h.endpoint, updated));
    const plan = h.gateway.store.addPlan({ name: 'Linked later', foreignServiceId: productId });
    expect(outcomeOf(await deliver(h.endpoint, updated))).toBe('processed');
    expect(h.gateway.store.plans.get(plan.id)?.name).toBe('Renamed');
  });

  it('after the grace period from event.created, the missing plan is permanent: dead-lettered once, then a duplicate', async () => {
    const event = stripeEvent('price.created', priceObject(), { created: nowSeconds() - 3601 });
    const before = await metrics();
    const res = await deliver(h.endpoint, event);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('deadlettered');
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({
      ReasonCode: 'stripe.plan-not-found',
      ExceptionMessage: expect.stringContaining('still after the grace period'),
    });
    expect((await metrics()).delta(before, NOT_YET_SYNCED, { type: 'price.created', outcome: 'deadlettered' })).toBe(1);
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('duplicate');
  });
});
