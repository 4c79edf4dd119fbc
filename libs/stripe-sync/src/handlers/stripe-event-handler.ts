import type { StripeEvent } from '../stripe-event.js';

/**
 * `processed`: applied. `stale`: an update older than what the object already reflects, not applied.
 * `skipped`: nothing to do for this event (e.g. an unpaid checkout, an already deleted plan).
 */
export type HandlerOutcome = 'processed' | 'stale' | 'skipped';

/**
 * One class per Stripe event type. `handle` throws PermanentEventError (or a GatewayBusinessError)
 * when the event can never be applied, and anything else when it may work later.
 */
export interface StripeEventHandler {
  readonly eventType: string;
  handle(event: StripeEvent): Promise<HandlerOutcome>;
}
