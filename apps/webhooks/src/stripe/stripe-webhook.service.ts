import { ConflictException, Injectable, InternalServerErrorException, Logger } from '@nestjs/common';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import type { DeadLetterReasonCode } from '@app/shared/codec/messages.js';
import { errorSummary } from '@app/shared/logging/redact.js';
import { ATTR_STRIPE_EVENT_ID, ATTR_STRIPE_EVENT_TYPE } from '@app/shared/tracing/attributes.js';
import { annotateActiveSpan } from '@app/shared/tracing/spans.js';
import type { WebhookObservation } from '../metrics/webhook-observation.js';
import { EventDedupeStore } from './event-dedupe.store.js';
import { StripeEventHandlers } from './handlers/stripe-event-handlers.js';
import type { HandlerOutcome } from './handlers/stripe-event-handler.js';
import { StripeSignatureVerifier } from './stripe-signature.verifier.js';
import type { StripeEvent } from './stripe-event.js';
import { PermanentEventError } from './stripe-event.errors.js';
import { StripeEventsPublisher } from './stripe-events.publisher.js';

/** What Stripe is told (200). `duplicate`: already processed; `ignored`: a type we do not handle. */
export type WebhookOutcome = HandlerOutcome | 'duplicate' | 'ignored' | 'deadlettered';

export interface WebhookAnswer {
  received: true;
  outcome: WebhookOutcome;
}

/**
 * verify → dedupe → handler → answer. Permanent failures are dead-lettered and acknowledged (200);
 * anything else releases the event's claim and answers 500, so Stripe's retry runs it again.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);

  constructor(
    private readonly verifier: StripeSignatureVerifier,
    private readonly handlers: StripeEventHandlers,
    private readonly dedupe: EventDedupeStore,
    private readonly publisher: StripeEventsPublisher,
  ) {}

  async receive(rawBody: Buffer, signature: string | undefined, observation?: WebhookObservation): Promise<WebhookAnswer> {
    const event = this.verifier.verify(rawBody, signature);
    annotateActiveSpan({ [ATTR_STRIPE_EVENT_TYPE]: event.type, [ATTR_STRIPE_EVENT_ID]: event.id });
    const handler = this.handlers.for(event.type);
    if (observation) observation.type = handler ? event.type : 'other'; // only handled types: a bounded label
    if (!handler) {
      this.logger.debug({ msg: 'stripe event type not handled; acknowledged', eventId: event.id, eventType: event.type });
      return answer('ignored');
    }
    const claim = await this.claim(event);
    if (claim.status === 'duplicate') {
      this.logger.log({ msg: 'stripe event already processed; acknowledged without effect', eventId: event.id, eventType: event.type });
      return answer('duplicate');
    }
    if (claim.status === 'in-flight') throw new ConflictException('Event is being processed');

    try {
      const outcome = await this.handleOrDeadLetter(event, rawBody, () => handler.handle(event));
      await claim.complete();
      this.logger.log({ msg: 'stripe event done', eventId: event.id, eventType: event.type, outcome });
      return answer(outcome);
    } catch (err) {
      await claim.release().catch(() => undefined); // the lease expires by itself otherwise
      this.logger.warn({ msg: 'stripe event failed; Stripe will retry', eventId: event.id, eventType: event.type, err: errorSummary(err) });
      throw new InternalServerErrorException();
    }
  }

  private async claim(event: StripeEvent) {
    try {
      return await this.dedupe.claim(event.id);
    } catch (err) {
      this.logger.warn({ msg: 'stripe event not claimed: Redis unavailable', eventId: event.id, err: errorSummary(err) });
      throw new InternalServerErrorException();
    }
  }

  private async handleOrDeadLetter(event: StripeEvent, rawBody: Buffer, handle: () => Promise<HandlerOutcome>): Promise<WebhookOutcome> {
    try {
      return await handle();
    } catch (err) {
      const permanent = permanentFailureOf(err);
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

const answer = (outcome: WebhookOutcome): WebhookAnswer => ({ received: true, outcome });

const NOT_FOUND_CODES: Record<string, DeadLetterReasonCode> = {
  PlanNotFoundError: 'stripe.plan-not-found',
  PriceTierNotFoundError: 'stripe.price-tier-not-found',
  ClientNotFoundError: 'stripe.client-not-found',
};

/** The dead-letter reason of a failure that retrying cannot fix, or null for a transient one. */
export function permanentFailureOf(err: unknown): { reasonCode: DeadLetterReasonCode; reason: string } | null {
  if (err instanceof PermanentEventError) return { reasonCode: err.reasonCode, reason: err.message };
  if (err instanceof GatewayBusinessError) {
    return { reasonCode: NOT_FOUND_CODES[err.errorType] ?? 'stripe.gateway-refused', reason: err.message };
  }
  return null;
}
