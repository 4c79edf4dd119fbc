import { Module } from '@nestjs/common';
import { StripeSyncModule } from '@app/stripe-sync';
import { StripeSignatureVerifier } from './stripe-signature.verifier.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';

/** Stripe webhooks: `POST /api/StripeWebhookHandler`, the signature check, then the stripe-sync library. */
@Module({
  imports: [StripeSyncModule],
  controllers: [StripeWebhookController],
  providers: [StripeSignatureVerifier],
})
export class StripeWebhookModule {}
