/** What `simulate stripe <event>` accepts: `checkout` is short for checkout.session.completed. */
export const SIMULATED_STRIPE_EVENTS = [
  'checkout',
  'checkout.session.completed',
  'product.created',
  'product.updated',
  'product.deleted',
  'price.created',
  'price.updated',
  'price.deleted',
] as const;
export type SimulatedStripeEvent = (typeof SIMULATED_STRIPE_EVENTS)[number];
