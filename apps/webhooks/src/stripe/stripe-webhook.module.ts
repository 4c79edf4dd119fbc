import { Module } from '@nestjs/common';

/** Stripe webhook endpoint and one handler per event type (filled in by the Stripe work). */
@Module({})
export class StripeWebhookModule {}
