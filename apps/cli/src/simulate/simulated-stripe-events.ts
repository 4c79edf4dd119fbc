/** The seven event types the webhooks service handles (one handler each). */
export const HANDLED_STRIPE_EVENT_TYPES = [
  'checkout.session.completed',
  'product.created',
  'product.updated',
  'product.deleted',
  'price.created',
  'price.updated',
  'price.deleted',
] as const;

/** What `simulate stripe <event>` accepts: `checkout` is short for checkout.session.completed. */
export const SIMULATED_STRIPE_EVENTS = ['checkout', ...HANDLED_STRIPE_EVENT_TYPES] as const;
export type SimulatedStripeEvent = (typeof SIMULATED_STRIPE_EVENTS)[number];
