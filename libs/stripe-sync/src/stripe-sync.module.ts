import { Module } from '@nestjs/common';
import { BillingGatewayClient } from './billing-gateway.client.js';
import { CheckoutSessionStore } from './checkout-session.store.js';
import { EventDedupeStore } from './event-dedupe.store.js';
import { stripeEventHandlerProviders } from './handlers/stripe-event-handlers.js';
import { ObjectVersionLock } from './object-version-lock.js';
import { STRIPE_CLIENT, StripeApi, createStripeClient } from './stripe-api.client.js';
import { StripeEventProcessor } from './stripe-event-processor.js';
import { StripeEventsPublisher } from './stripe-events.publisher.js';
import { StripeSyncMetrics } from './stripe-sync.metrics.js';
import { stripeConfig } from './stripe.env.js';

/**
 * Applies verified Stripe events to Nudges: one handler per event type, dedupe and order safety in
 * Redis, dead letters and events on Kafka. Needs the `stripe` config slice, the global
 * GatewayGraphqlClient (GatewayModule), REDIS and KafkaProducerService; METRICS_REGISTRY when the app
 * has one.
 */
@Module({
  providers: [
    { provide: STRIPE_CLIENT, inject: [stripeConfig.KEY], useFactory: createStripeClient },
    BillingGatewayClient,
    StripeApi,
    EventDedupeStore,
    CheckoutSessionStore,
    ObjectVersionLock,
    StripeEventsPublisher,
    StripeSyncMetrics,
    ...stripeEventHandlerProviders,
    StripeEventProcessor,
  ],
  exports: [STRIPE_CLIENT, StripeEventProcessor],
})
export class StripeSyncModule {}
