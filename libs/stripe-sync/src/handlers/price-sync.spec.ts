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
    [{ interval: 'month', interval_count: 3 }, undefined],
    [null, undefined],
  ])('%j → %s', (recurring, expected) => {
    expect(durationOf(price({ recurring }))).toBe(expected);
  });
});
