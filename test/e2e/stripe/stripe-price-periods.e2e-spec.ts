// A recurring price's period (interval × interval_count) becomes the tier's duration when the
// gateway's BasicDuration can express it (P7D, P30D, P365D); any other period is a permanent error
// naming the price. Before, a quarterly or half-yearly price got the gateway's default (P30D),
// silently.
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { priceObject, stripeEvent, stripeId, type PriceFields } from '../../support/stripe/stripe-fixtures.js';

describe('Stripe recurring prices: the period becomes the tier duration', () => {
  let h: StripeHarness;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-price-periods');
  });
  afterAll(() => h.stop());

  function priceOfNewPlan(fields: PriceFields) {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name: 'Periodic', foreignServiceId: productId });
    return { plan, price: priceObject({ product: productId, ...fields }) };
  }

  it.each([
    [{ interval: 'week', intervalCount: 1 }, 'P7D'],
    [{ interval: 'month', intervalCount: 1 }, 'P30D'],
    [{ interval: 'month', intervalCount: 12 }, 'P365D'],
    [{ interval: 'year', intervalCount: 1 }, 'P365D'],
  ] as const)('%j → %s', async (period, duration) => {
    const { plan, price } = priceOfNewPlan(period);
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('price.created', price)))).toBe('processed');
    expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([expect.objectContaining({ foreignServiceId: price.id, duration })]);
  });

  it.each([
    [{ interval: 'month', intervalCount: 3 }, 'every 3 month(s)'],
    [{ interval: 'month', intervalCount: 6 }, 'every 6 month(s)'],
    [{ interval: 'week', intervalCount: 2 }, 'every 2 week(s)'],
  ] as const)('%j: dead-lettered (stripe.price-interval-unsupported) naming the price, no tier', async (period, text) => {
    const { plan, price } = priceOfNewPlan(period);
    const event = stripeEvent('price.created', price);
    const res = await deliver(h.endpoint, event);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('deadlettered');
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({
      ReasonCode: 'stripe.price-interval-unsupported',
      ExceptionMessage: `price ${price.id} bills ${text}; Nudges price tiers last a week (P7D), a month (P30D) or a year (P365D)`,
    });
    expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([]);
  });
});
