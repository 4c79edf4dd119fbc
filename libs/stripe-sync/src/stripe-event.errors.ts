import type { DeadLetterReasonCode } from '@app/shared/codec/messages.js';

/**
 * The event cannot be applied, and delivering it again would not change that (client or plan not
 * found, the gateway refused, the event lacks data we need). Stripe gets 200 so it stops; the event
 * goes to the deadletter topic with `reasonCode` so an operator can replay it after fixing the data.
 */
export class PermanentEventError extends Error {
  readonly transient = false as const;

  constructor(
    readonly reasonCode: DeadLetterReasonCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}

/**
 * The event's object depends on one that is not synced yet (the plan of a price's product, the
 * price tier of a checkout, the tier a price update changes): Stripe sends related events
 * concurrently and in no fixed order. Transient while the event is younger than the grace period
 * (500, Stripe retries); after it, dead-lettered with `reasonCode` like a PermanentEventError.
 */
export class NotYetSyncedError extends Error {
  constructor(
    readonly reasonCode: DeadLetterReasonCode,
    message: string,
  ) {
    super(message);
    this.name = 'NotYetSyncedError';
  }
}

/** Stripe's API could not answer now (5xx, 429, network, timeout, or our key was refused). Stripe gets 500. */
export class StripeApiUnavailableError extends Error {
  readonly transient = true as const;

  constructor(
    readonly operation: string,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`Stripe API ${operation} unavailable: ${detail}`, options);
    this.name = 'StripeApiUnavailableError';
  }
}

/** Another delivery is changing the same Stripe object (or recording the same checkout) right now. Stripe gets 500 and retries later. */
export class ObjectBusyError extends Error {
  readonly transient = true as const;

  constructor(readonly objectId: string) {
    super(`another event for ${objectId} is being applied`);
    this.name = 'ObjectBusyError';
  }
}
