import { Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../http/api-key.guard.js';
import { WebhookBody, type WebhookRequest } from '../http/webhook-body.interceptor.js';
import { observationOf } from '../metrics/webhook-observation.js';
import { StripeWebhookService, type WebhookAnswer } from './stripe-webhook.service.js';

/** Stripe's webhook endpoint: `POST /api/StripeWebhookHandler?code=<WEBHOOKS_API_KEY>`. */
@Controller('api')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Post('StripeWebhookHandler')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  @WebhookBody({ mediaType: 'application/json', limitBytes: 1024 * 1024 })
  async receive(@Req() req: WebhookRequest, @Headers('stripe-signature') signature: string | undefined): Promise<WebhookAnswer> {
    const observation = observationOf(req);
    const answer = await this.webhooks.receive(req.rawBody, signature, observation);
    observation.outcome = answer.outcome;
    return answer;
  }
}
