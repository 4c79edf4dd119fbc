import type { Request } from 'express';

/**
 * What the handling code learned about one webhook request, for its metric labels: `type` is the
 * Stripe event type ("other" for types without a handler) or the SMS command; `outcome` is set on
 * a 200 answer (processed, duplicate, replied, ...). Left unset, both come from the HTTP status.
 */
export interface WebhookObservation {
  type: string;
  outcome?: string;
}

/** Type of a request rejected before its body was read or trusted (API key, media type, size, signature). */
export const UNKNOWN_TYPE = 'none';

const OBSERVATION = Symbol('webhookObservation');

type ObservedRequest = Request & { [OBSERVATION]?: WebhookObservation };

/** The observation of `req`, created on first use (by the metrics middleware, or by a handler when it is not installed). */
export function observationOf(req: Request): WebhookObservation {
  const observed = req as ObservedRequest;
  observed[OBSERVATION] ??= { type: UNKNOWN_TYPE };
  return observed[OBSERVATION];
}
