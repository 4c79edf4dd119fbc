// The handlers are written for one Stripe API version (STRIPE_API_VERSION, the installed stripe
// package's). The client asks Stripe for it; an event rendered in another version (the endpoint's
// version drifted) is logged, counted by version, and handled when its object still parses, else
// dead-lettered naming both versions. Before, nothing compared the versions: a drift showed only as
// `stripe.invalid-object` dead letters.
import { STRIPE_API_VERSION } from '@app/stripe-sync';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { checkoutSessionObject, productObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

const OTHER_VERSION = 'nudges_stripe_events_other_api_version_total';
const OLD = '2024-06-20';

describe('Stripe API version', () => {
  let h: StripeHarness;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-api-version', { stripeProxy: true });
  });
  afterAll(() => h.stop());

  const metrics = () => h.metrics();
  const linkedPlan = () => {
    const productId = stripeId('prod');
    return { productId, plan: h.gateway.store.addPlan({ name: 'Versioned', foreignServiceId: productId }) };
  };

  it('the Stripe API client asks for the pinned version', async () => {
    const customerId = stripeId('cus');
    h.gateway.store.addClient({ name: 'Version check', customerId });
    const sent = h.stripeProxy!.forwardedHeaders().length;
    await deliver(h.endpoint, stripeEvent('checkout.session.completed', checkoutSessionObject({ customer: customerId })));
    const requests = h.stripeProxy!.forwardedHeaders().slice(sent);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((headers) => headers['stripe-version'])).toEqual(requests.map(() => STRIPE_API_VERSION));
  });

  it('an event of the pinned version is not counted', async () => {
    const { productId } = linkedPlan();
    const before = await metrics();
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('product.updated', productObject({ id: productId }))))).toBe('processed');
    expect((await metrics()).delta(before, OTHER_VERSION, { api_version: STRIPE_API_VERSION })).toBe(0);
  });

  it('an event of another version whose object still parses is applied, and counted by its version', async () => {
    const { productId, plan } = linkedPlan();
    const before = await metrics();
    const event = {
      ...stripeEvent('product.updated', productObject({ id: productId, name: 'Renamed in an old version' })),
      api_version: OLD,
    };
    expect(outcomeOf(await deliver(h.endpoint, JSON.stringify(event)))).toBe('processed');
    expect(h.gateway.store.plans.get(plan.id)?.name).toBe('Renamed in an old version');
    expect((await metrics()).delta(before, OTHER_VERSION, { api_version: OLD })).toBe(1);
  });

  it('an event of another version whose object no longer parses is dead-lettered as stripe.api-version-mismatch, naming both versions', async () => {
    const { productId, plan } = linkedPlan();
    // As a version where `name` were an object, say: the shape the handlers read is gone.
    const event = {
      ...stripeEvent('product.updated', { ...productObject({ id: productId }), name: { default: 'Nudges Pro' } }),
      api_version: OLD,
    };
    const before = await metrics();
    const res = await deliver(h.endpoint, JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('deadlettered');
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({
      ReasonCode: 'stripe.api-version-mismatch',
      ExceptionMessage: `product.updated object lacks or has malformed fields: name; the event is of Stripe API version ${OLD}, the handlers are written for ${STRIPE_API_VERSION}`,
    });
    expect(h.gateway.store.plans.get(plan.id)?.name).toBe('Versioned');
    expect((await metrics()).delta(before, OTHER_VERSION, { api_version: OLD })).toBe(1);
  });
});
