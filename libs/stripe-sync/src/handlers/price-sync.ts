import type { BillingDuration, PriceTierStatus } from '../billing-gateway.client.js';
import { InvalidAmountError, minorToMajor } from '../money.js';
import { PermanentEventError } from '../stripe-event.errors.js';
import type { StripePrice } from './stripe-objects.js';

/** The price in major units as an exact decimal string (`unit_amount`, else `unit_amount_decimal`). */
export function majorAmountOf(price: StripePrice): string {
  const minor = price.unit_amount ?? price.unit_amount_decimal;
  if (minor === null || minor === undefined) {
    throw new PermanentEventError(
      'stripe.price-amount-missing',
      `price ${price.id} has no unit amount (tiered or customer-chosen prices have none)`,
    );
  }
  try {
    return minorToMajor(typeof minor === 'number' && !Number.isInteger(minor) ? String(minor) : minor, price.currency);
  } catch (err) {
    if (err instanceof InvalidAmountError) throw new PermanentEventError('stripe.invalid-object', `price ${price.id}: ${err.message}`);
    throw err;
  }
}

export const tierStatusOf = (price: StripePrice): PriceTierStatus => (price.active ? 'ACTIVE' : 'INACTIVE');

/**
 * The gateway's `BasicDuration` has three values: P7D (a week), P30D (Nudges' month) and P365D
 * (Nudges' year). Each Stripe period that means one of them; any other (every 3 or 6 months, every
 * 2 weeks, daily...) has no duration in the gateway.
 */
const DURATIONS: Record<string, BillingDuration> = {
  'day×7': 'P7D',
  'week×1': 'P7D',
  'day×30': 'P30D',
  'month×1': 'P30D',
  'day×365': 'P365D',
  'month×12': 'P365D',
  'year×1': 'P365D',
};

/**
 * The tier's duration for a recurring price; undefined for a one-time price (the gateway's default
 * applies). A period the gateway cannot express is permanent: a tier with a wrong period would
 * subscribe customers for the wrong time.
 */
export function durationOf(price: StripePrice): BillingDuration | undefined {
  const r = price.recurring;
  if (!r) return undefined;
  const duration = DURATIONS[`${r.interval}×${r.interval_count}`];
  if (duration) return duration;
  throw new PermanentEventError(
    'stripe.price-interval-unsupported',
    `price ${price.id} bills every ${r.interval_count} ${r.interval}(s); Nudges price tiers last a week (P7D), a month (P30D) or a year (P365D)`,
  );
}

/** The product's name when Stripe expanded it into the price, else null. */
export const expandedProductName = (price: StripePrice): string | null =>
  typeof price.product === 'object' ? (price.product.name ?? null) : null;

/**
 * What a tier takes from its price: the amount, the status, and the nickname or else the expanded
 * product's name (null when the price has neither: the caller keeps a name of its own).
 */
export const tierFieldsOf = (price: StripePrice) => ({
  price: majorAmountOf(price),
  status: tierStatusOf(price),
  name: price.nickname ?? expandedProductName(price),
});

export const productIdOf = (price: StripePrice): string => (typeof price.product === 'string' ? price.product : price.product.id);
