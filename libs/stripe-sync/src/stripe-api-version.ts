import type Stripe from 'stripe';
import type { StripeEvent } from './stripe-event.js';

/**
 * The Stripe API version the handlers and their object schemas are written for: the version the
 * installed `stripe` package's types describe. `satisfies` makes the type check fail when an
 * upgrade of the package moves its version, so the handlers are reviewed before the pin moves.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/** The event's `api_version` when it is not the pinned one (null events, from before versions, count as pinned). */
export function otherApiVersionOf(event: StripeEvent): string | null {
  const version = event.api_version;
  return version && version !== STRIPE_API_VERSION ? version : null;
}
