import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BILLING_GATEWAY } from './billing-gateway.port.js';
import { EventDedupeStore } from './event-dedupe.store.js';
import { stripeEventHandlerProviders } from './handlers/stripe-event-handlers.js';
import { NudgesBillingGateway } from './nudges-billing.gateway.js';
import { ObjectVersionLock } from './object-version-lock.js';
import { STRIPE_CLIENT, STRIPE_CONFIG, StripeApi, createStripeClient } from './stripe-api.client.js';
import { StripeEventsPublisher } from './stripe-events.publisher.js';
import { StripeSignatureVerifier } from './stripe-signature.verifier.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { StripeWebhookService } from './stripe-webhook.service.js';
import type { StripeConfig } from './stripe.env.js';

/**
 * Stripe webhooks: `POST /api/StripeWebhookHandler`, one handler per event type, dedupe and order
 * safety in Redis. Needs the global NudgesGateway (GatewayModule), REDIS and KafkaProducerService.
 */
@Module({
  controllers: [StripeWebhookController],
  providers: [
    { provide: STRIPE_CONFIG, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow<StripeConfig>('stripe') },
    { provide: STRIPE_CLIENT, inject: [STRIPE_CONFIG], useFactory: createStripeClient },
    { provide: BILLING_GATEWAY, useClass: NudgesBillingGateway },
    StripeApi,
    StripeSignatureVerifier,
    EventDedupeStore,
    ObjectVersionLock,
    StripeEventsPublisher,
    ...stripeEventHandlerProviders,
    StripeWebhookService,
  ],
})
export class StripeWebhookModule {}
