import { Injectable, Logger } from '@nestjs/common';
import type { StripeEvent } from '../stripe-event.js';
import { StripeSyncMetrics } from '../stripe-sync.metrics.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { checkoutSessionSchema, idOf, objectOf } from './stripe-objects.js';

/**
 * The delayed payment of a checkout failed (the bank refused the debit, the voucher expired...).
 * Nothing was recorded for the session, and nothing is: the failure is logged and counted so
 * operators see it; Stripe tells the customer.
 */
@Injectable()
export class CheckoutSessionAsyncPaymentFailedHandler implements StripeEventHandler {
  readonly eventType = 'checkout.session.async_payment_failed';
  private readonly logger = new Logger(CheckoutSessionAsyncPaymentFailedHandler.name);

  constructor(private readonly metrics: StripeSyncMetrics) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const session = objectOf(event, checkoutSessionSchema);
    this.metrics.checkoutPayment('async_failed');
    this.logger.warn({
      msg: 'checkout payment by a delayed method failed; nothing recorded',
      eventId: event.id,
      sessionId: session.id,
      customerId: idOf(session.customer),
    });
    return 'processed';
  }
}
