import { Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { StripeEventProcessor, type WebhookOutcome } from '@app/stripe-sync';
import { ApiKeyGuard } from '../http/api-key.guard.js';
import { WebhookBody, type WebhookRequest } from '../http/webhook-body.interceptor.js';
import { labelWebhookRequest } from '../metrics/webhook-observation.js';
import { StripeSignatureVerifier } from './stripe-signature.verifier.js';

export interface WebhookAnswer {
  received: true;
  outcome: WebhookOutcome;
}

/**
 * Stripe's webhook endpoint: `POST /api/StripeWebhookHandler?code=<WEBHOOKS_API_KEY>`.
 * verify the signature → StripeEventProcessor (dedupe → handler → outcome).
 */
@Controller('api')
export class StripeWebhookController {
  constructor(
    private readonly verifier: StripeSignatureVerifier,
    private readonly processor: StripeEventProcessor,
  ) {}

  @Post('StripeWebhookHandler')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  @WebhookBody({ mediaType: 'application/json', limitBytes: 1024 * 1024 })
  async receive(@Req() req: WebhookRequest, @Headers('stripe-signature') signature: string | undefined): Promise<WebhookAnswer> {
    const event = this.verifier.verify(req.rawBody, signature);
    labelWebhookRequest({ type: this.processor.handles(event.type) ? event.type : 'other' }); // only handled types: a bounded label
    const outcome = await this.processor.process(event, req.rawBody);
    labelWebhookRequest({ outcome });
    return { received: true, outcome };
  }
}
