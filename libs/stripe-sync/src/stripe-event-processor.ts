import { ConflictException, Inject, Injectable, InternalServerErrorException, Logger } from '@nestjs/common';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import type { DeadLetterReasonCode } from '@app/shared/codec/messages.js';
import { errorSummary } from '@app/shared/logging/redact.js';
import { ATTR_STRIPE_EVENT_ID, ATTR_STRIPE_EVENT_TYPE } from '@app/shared/tracing/attributes.js';
import { annotateActiveSpan } from '@app/shared/tracing/spans.js';
import { EventDedupeStore } from './event-dedupe.store.js';
import { StripeEventHandlers } from './handlers/stripe-event-handlers.js';
import { HANDLER_OUTCOMES, type HandlerOutcome } from './handlers/stripe-event-handler.js';
import type { StripeEvent } from './stripe-event.js';
import { otherApiVersionOf, STRIPE_API_VERSION } from './stripe-api-version.js';
import { NotYetSyncedError, PermanentEventError } from './stripe-event.errors.js';
import { StripeEventsPublisher } from './stripe-events.publisher.js';
import { StripeSyncMetrics } from './stripe-sync.metrics.js';
import type { StripeConfig } from './stripe.env.js';
import { stripeConfig } from './stripe.env.js';

/**
 * What Stripe is told (200). `duplicate`: this event was processed already (or, from the handler,
 * its checkout session was recorded by another event); `ignored`: a type we do not handle.
 */
export const WEBHOOK_OUTCOMES = [...HANDLER_OUTCOMES, 'ignored', 'deadlettered'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * dedupe → handler → outcome, for a verified event. Permanent failures are dead-lettered and
 * acknowledged; anything else releases the event's claim and throws InternalServerErrorException
 * (500), so Stripe's retry runs it again. ConflictException (409): another delivery holds the event.
 * An object that depends on one not synced yet is transient during the grace period from the
 * event's `created`, then permanent.
 */
@Injectable()
export class StripeEventProcessor {
  private readonly logger = new Logger(StripeEventProcessor.name);

  constructor(
    private readonly handlers: StripeEventHandlers,
    private readonly dedupe: EventDedupeStore,
    private readonly publisher: StripeEventsPublisher,
    private readonly metrics: StripeSyncMetrics,
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
  ) {}

  /** Whether `type` has a handler (other types are acknowledged as `ignored`). */
  handles(type: string): boolean {
    return this.handlers.for(type) !== undefined;
  }

  /** The event types the handlers cover. */
  get handledTypes(): string[] {
    return this.handlers.types;
  }

  /** `rawBody`: the bytes Stripe sent, kept in the dead letter so the event can be replayed. */
  async process(event: StripeEvent, rawBody: Buffer): Promise<WebhookOutcome> {
    annotateActiveSpan({ [ATTR_STRIPE_EVENT_TYPE]: event.type, [ATTR_STRIPE_EVENT_ID]: event.id });
    const handler = this.handlers.for(event.type);
    if (!handler) {
      this.logger.debug({ msg: 'stripe event type not handled; acknowledged', eventId: event.id, eventType: event.type });
      return 'ignored';
    }
    const claim = await this.claim(event);
    if (claim.status === 'duplicate') {
      this.logger.log({ msg: 'stripe event already processed; acknowledged without effect', eventId: event.id, eventType: event.type });
      return 'duplicate';
    }
    if (claim.status === 'in-flight') throw new ConflictException('Event is being processed');

    this.noteApiVersion(event);
    try {
      const outcome = await this.handleOrDeadLetter(event, rawBody, () => handler.handle(event));
      await claim.complete();
      this.logger.log({ msg: 'stripe event done', eventId: event.id, eventType: event.type, outcome });
      return outcome;
    } catch (err) {
      await claim.release().catch(() => undefined); // the lease expires by itself otherwise
      this.logFailure(event, err);
      throw new InternalServerErrorException();
    }
  }

  /** Whether the event is recorded as processed. */
  isProcessed(eventId: string): Promise<boolean> {
    return this.dedupe.isDone(eventId);
  }

  /** Drops the "processed" mark of an event (it was dead-lettered, not applied), so it runs again. */
  forget(eventId: string): Promise<boolean> {
    return this.dedupe.forget(eventId);
  }

  private async claim(event: StripeEvent) {
    try {
      return await this.dedupe.claim(event.id);
    } catch (err) {
      this.logger.warn({ msg: 'stripe event not claimed: Redis unavailable', eventId: event.id, err: errorSummary(err) });
      throw new InternalServerErrorException();
    }
  }

  /** Handled all the same: the handlers' schemas tell whether the objects still have what they read. */
  private noteApiVersion(event: StripeEvent): void {
    const apiVersion = otherApiVersionOf(event);
    if (!apiVersion) return;
    this.metrics.eventOfOtherApiVersion(apiVersion);
    this.logger.warn({
      msg: 'stripe event of another API version than the handlers are written for; handled if its object still parses',
      eventId: event.id,
      eventType: event.type,
      apiVersion,
      handlersApiVersion: STRIPE_API_VERSION,
    });
  }

  private logFailure(event: StripeEvent, err: unknown): void {
    const fields = { eventId: event.id, eventType: event.type };
    if (err instanceof NotYetSyncedError) {
      const graceEndsAt = new Date((event.created + this.config.notYetSyncedGraceSeconds) * 1000).toISOString();
      this.logger.log({
        msg: 'stripe event waits for an object not synced yet; Stripe will retry',
        ...fields,
        reason: err.message,
        graceEndsAt,
      });
      return;
    }
    this.logger.warn({ msg: 'stripe event failed; Stripe will retry', ...fields, err: errorSummary(err) });
  }

  private async handleOrDeadLetter(event: StripeEvent, rawBody: Buffer, handle: () => Promise<HandlerOutcome>): Promise<WebhookOutcome> {
    try {
      return await handle();
    } catch (err) {
      const inGrace = Date.now() / 1000 - event.created < this.config.notYetSyncedGraceSeconds;
      const permanent = permanentFailureOf(err, inGrace);
      if (err instanceof NotYetSyncedError) this.metrics.eventNotYetSynced(event.type, permanent ? 'deadlettered' : 'retried');
      if (!permanent) throw err;
      const record = await this.publisher.deadLetter(event, rawBody, permanent.reasonCode, permanent.reason);
      this.logger.warn({
        msg: 'stripe event cannot be applied; dead-lettered',
        eventId: event.id,
        eventType: event.type,
        reasonCode: permanent.reasonCode,
        deadLetterId: record.eventKey.id,
        reason: permanent.reason,
      });
      return 'deadlettered';
    }
  }
}

const NOT_FOUND_CODES: Record<string, DeadLetterReasonCode> = {
  PlanNotFoundError: 'stripe.plan-not-found',
  PriceTierNotFoundError: 'stripe.price-tier-not-found',
  ClientNotFoundError: 'stripe.client-not-found',
};

/**
 * The dead-letter reason of a failure that retrying cannot fix, or null for a transient one.
 * `inGrace`: the event is younger than the not-yet-synced grace period, so a missing related
 * object may still arrive.
 */
export function permanentFailureOf(err: unknown, inGrace = false): { reasonCode: DeadLetterReasonCode; reason: string } | null {
  if (err instanceof NotYetSyncedError) {
    return inGrace ? null : { reasonCode: err.reasonCode, reason: `${err.message}, still after the grace period` };
  }
  if (err instanceof PermanentEventError) return { reasonCode: err.reasonCode, reason: err.message };
  if (err instanceof GatewayBusinessError) {
    return { reasonCode: NOT_FOUND_CODES[err.errorType] ?? 'stripe.gateway-refused', reason: err.message };
  }
  return null;
}
