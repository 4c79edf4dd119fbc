import { Injectable, Logger } from '@nestjs/common';
import type { StripeEvent } from '../stripe-event.js';
import { StripeSyncMetrics } from '../stripe-sync.metrics.js';
import { CheckoutRecorder } from './checkout-recorder.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { checkoutSessionSchema, objectOf } from './stripe-objects.js';

/** Payment statuses that mean the money is there. */
const SETTLED = new Set(['paid', 'no_payment_required']);

/**
 * A customer finished a checkout. Paid (or nothing to pay): record it (CheckoutRecorder). Unpaid:
 * the customer chose a delayed payment method (ACH, SEPA, Bacs, Boleto...); nothing is recorded
 * yet, and `checkout.session.async_payment_succeeded` records the session once the money arrives.
 */
@Injectable()
export class CheckoutSessionCompletedHandler implements StripeEventHandler {
  readonly eventType = 'checkout.session.completed';
  private readonly logger = new Logger(CheckoutSessionCompletedHandler.name);

  constructor(
    private readonly recorder: CheckoutRecorder,
    private readonly metrics: StripeSyncMetrics,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const session = objectOf(event, checkoutSessionSchema);
    if (session.payment_status !== undefined && !SETTLED.has(session.payment_status)) {
      this.metrics.checkoutPayment('pending');
      this.logger.log({
        msg: 'checkout awaits a delayed payment; checkout.session.async_payment_succeeded records it',
        eventId: event.id,
        sessionId: session.id,
        paymentStatus: session.payment_status,
      });
      return 'pending';
    }
    return this.recorder.record(session, 'paid');
  }
}
