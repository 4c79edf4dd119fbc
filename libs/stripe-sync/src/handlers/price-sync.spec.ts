import { PermanentEventError } from '../stripe-event.errors.js';
import { durationOf, majorAmountOf } from './price-sync.js';
import { priceSchema, type StripePrice } from './stripe-objects.js';

const price = (fields: Record<string, unknown>): StripePrice =>
  priceSchema.parse({
    id: 'price_1',
    object: 'price',
    active: true,
    currency: 'usd',
    product: 'prod_1',
    unit_amount: 999,
    recurring: null,
    ...fields,
  });

describe('majorAmountOf', () => {
  it('converts unit_amount, else unit_amount_decimal, to major units', () => {
    expect(majorAmountOf(price({}))).toBe('9.99');
    expect(majorAmountOf(price({ currency: 'jpy', unit_amount: 500 }))).toBe('500');
    expect(majorAmountOf(price({ unit_amount: null, unit_amount_decimal: '1234.5' }))).toBe('12.345');
  });

  it('is a permanent failure when the price has no unit amount', () => {
    expect(() => majorAmountOf(price({ unit_amount: null, unit_amount_decimal: null }))).toThrow(PermanentEventError);
  });
});

describe('durationOf', () => {
  it.each([
    [{ interval: 'month', interval_count: 1 }, 'P30D'],
    [{ interval: 'year', interval_count: 1 }, 'P365D'],
    [{ interval: 'month', interval_count: 12 }, 'P365D'],
    [{ interval: 'week', interval_count: 1 }, 'P7D'],
    [{ interval: 'day', interval_count: 7 }, 'P7D'],
    [{ interval: 'day', interval_count: 30 }, 'P30D'],
    [{ interval: 'day', interval_count: 365 }, 'P365D'],
    [null, undefined],
  ])('%j → %s', (recurring, expected) => {
    expect(durationOf(price({ recurring }))).toBe(expected);
  });

  it.each([
    [{ interval: 'month', interval_count: 3 }, 'every 3 month(s)'],
    [{ interval: 'month', interval_count: 6 }, 'every 6 month(s)'],
    [{ interval: 'week', interval_count: 2 }, 'every 2 week(s)'],
    [{ interval: 'day', interval_count: 1 }, 'every 1 day(s)'],
    [{ interval: 'year', interval_count: 2 }, 'every 2 year(s)'],
  ])('%j has no gateway duration: a permanent error naming the price', (recurring, period) => {
    const error = (() => {
      try {
        durationOf(price({ recurring }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PermanentEventError);
    expect(error).toMatchObject({
      reasonCode: 'stripe.price-interval-unsupported',
      message: `price price_1 bills ${period}; Nudges price tiers last a week (P7D), a month (P30D) or a year (P365D)`,
    });
  });
});
