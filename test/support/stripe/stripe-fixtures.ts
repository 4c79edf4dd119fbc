// The Stripe event builders live with `simulate stripe` (apps/cli/src/simulate/stripe-events.ts), so
// the tests, the CLI and the demo send the same realistic payloads. This file adds the tests' secret.
import { stripeSignature } from '../../../apps/cli/src/simulate/stripe-events.js';

export {
  checkoutSessionObject,
  nowSeconds,
  priceObject,
  productObject,
  stripeEvent,
  stripeId,
  type CheckoutFields,
  type EventOptions,
  type PriceFields,
  type ProductFields,
  type StripeEventPayload,
} from '../../../apps/cli/src/simulate/stripe-events.js';

export { HANDLED_STRIPE_EVENT_TYPES } from '../../../apps/cli/src/simulate/simulated-stripe-events.js';

export const WEBHOOK_SECRET = 'whsec_test_secret';

/** The `Stripe-Signature` header for `body`, as Stripe computes it. */
export function signatureFor(body: string, options: { timestamp?: number; secret?: string } = {}): string {
  return stripeSignature(body, options.secret ?? WEBHOOK_SECRET, options.timestamp);
}
