export * from './stripe-sync.module.js';
export * from './stripe-event-processor.js';
export * from './stripe-event.js';
export * from './stripe-event.errors.js';
export * from './stripe.env.js';
export { STRIPE_CLIENT, createStripeClient, hostOptions } from './stripe-api.client.js';
export { STRIPE_API_VERSION } from './stripe-api-version.js';
