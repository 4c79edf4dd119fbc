import type { StripeEvent } from '../stripe-event.js';

/**
 * `processed`: applied. `stale`: older than what the object already reflects (an older update, a
 * create after the deletion), not applied. `skipped`: nothing to do for this event (e.g. an already
 * deleted plan). `pending`: a checkout awaiting its delayed payment. `duplicate`: the checkout
 * session was recorded by another of its events.
 */
export const HANDLER_OUTCOMES = ['processed', 'stale', 'skipped', 'pending', 'duplicate'] as const;
export type HandlerOutcome = (typeof HANDLER_OUTCOMES)[number];

/** A change run under the object's version lock: processed when applied, stale when a newer event got there first. */
export const outcomeOf = (result: { applied: boolean }): HandlerOutcome => (result.applied ? 'processed' : 'stale');

/**
 * One class per Stripe event type. `handle` throws PermanentEventError (or a GatewayBusinessError)
 * when the event can never be applied, and anything else when it may work later.
 */
export interface StripeEventHandler {
  readonly eventType: string;
  handle(event: StripeEvent): Promise<HandlerOutcome>;
}
