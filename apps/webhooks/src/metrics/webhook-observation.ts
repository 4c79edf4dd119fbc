import type { Request } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';

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

/** The request being handled's observation, so that services label it without being handed it. */
const currentObservation = new AsyncLocalStorage<WebhookObservation>();

/** The observation of `req`, created on first use. */
export function observationOf(req: Request): WebhookObservation {
  const observed = req as ObservedRequest;
  observed[OBSERVATION] ??= { type: UNKNOWN_TYPE };
  return observed[OBSERVATION];
}

/** Runs the rest of the request (guards, interceptors, handler) with `observation` as the current one. */
export function runObserved(observation: WebhookObservation, next: () => void): void {
  currentObservation.run(observation, next);
}

/**
 * Notes the type (event type, SMS command) and outcome of the webhook request being handled. Set
 * the type before the work that may fail: a 500 keeps it. Does nothing outside a webhook request.
 */
export function labelWebhookRequest(labels: Partial<WebhookObservation>): void {
  const observation = currentObservation.getStore();
  if (observation) Object.assign(observation, labels);
}
