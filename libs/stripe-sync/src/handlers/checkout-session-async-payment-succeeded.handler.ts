import { Injectable } from '@nestjs/common';
import type { StripeEvent } from '../stripe-event.js';
import { CheckoutRecorder } from './checkout-recorder.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { checkoutSessionSchema, objectOf } from './stripe-objects.js';

/**
 * The delayed payment of a checkout (completed as `unpaid`) arrived: record the checkout exactly as
 * a paid `checkout.session.completed` does (CheckoutRecorder), once per session.
 */
@Injectable()
export class CheckoutSessionAsyncPaymentSucceededHandler implements StripeEventHandler {
  readonly eventType = 'checkout.session.async_payment_succeeded';

  constructor(private readonly recorder: CheckoutRecorder) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    return this.recorder.record(objectOf(event, checkoutSessionSchema), 'async_succeeded');
  }
}
