import type { Provider } from '@nestjs/common';
import { CheckoutRecorder } from './checkout-recorder.js';
import { CheckoutSessionAsyncPaymentFailedHandler } from './checkout-session-async-payment-failed.handler.js';
import { CheckoutSessionAsyncPaymentSucceededHandler } from './checkout-session-async-payment-succeeded.handler.js';
import { CheckoutSessionCompletedHandler } from './checkout-session-completed.handler.js';
import { PriceCreatedHandler } from './price-created.handler.js';
import { PriceDeletedHandler } from './price-deleted.handler.js';
import { PriceUpdatedHandler } from './price-updated.handler.js';
import { ProductCreatedHandler } from './product-created.handler.js';
import { ProductDeletedHandler } from './product-deleted.handler.js';
import { ProductUpdatedHandler } from './product-updated.handler.js';
import type { StripeEventHandler } from './stripe-event-handler.js';

/** Every handled Stripe event type, one handler class each. Adding a type means adding it here. */
export const STRIPE_EVENT_HANDLER_CLASSES = [
  CheckoutSessionCompletedHandler,
  CheckoutSessionAsyncPaymentSucceededHandler,
  CheckoutSessionAsyncPaymentFailedHandler,
  ProductCreatedHandler,
  ProductUpdatedHandler,
  ProductDeletedHandler,
  PriceCreatedHandler,
  PriceUpdatedHandler,
  PriceDeletedHandler,
] as const;

/** The one map from event type to handler. */
export class StripeEventHandlers {
  private readonly byType: ReadonlyMap<string, StripeEventHandler>;

  constructor(handlers: readonly StripeEventHandler[]) {
    const byType = new Map<string, StripeEventHandler>();
    for (const handler of handlers) {
      if (byType.has(handler.eventType)) throw new Error(`two handlers for Stripe event type ${handler.eventType}`);
      byType.set(handler.eventType, handler);
    }
    this.byType = byType;
  }

  /** The handler of `eventType`, or undefined for a type this service does not handle. */
  for(eventType: string): StripeEventHandler | undefined {
    return this.byType.get(eventType);
  }

  get types(): string[] {
    return [...this.byType.keys()];
  }
}

export const stripeEventHandlerProviders: Provider[] = [
  CheckoutRecorder,
  ...STRIPE_EVENT_HANDLER_CLASSES,
  {
    provide: StripeEventHandlers,
    inject: [...STRIPE_EVENT_HANDLER_CLASSES],
    useFactory: (...handlers: StripeEventHandler[]) => new StripeEventHandlers(handlers),
  },
];
