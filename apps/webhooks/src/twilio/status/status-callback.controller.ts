import { BadRequestException, Controller, ForbiddenException, HttpCode, Logger, Post, Req, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../../http/api-key.guard.js';
import { WebhookBody, type WebhookRequest } from '../../http/webhook-body.interceptor.js';
import { parseForm } from '../inbound/inbound-sms.js';
import { TwilioSignatureVerifier } from '../inbound/twilio-signature.js';
import { InvalidStatusCallbackError, toStatusCallback } from './message-status.js';
import { StatusCallbackService } from './status-callback.service.js';

/** Twilio's status callbacks are a few hundred bytes; room for a long StatusCallback URL's parameters. */
const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * `POST /api/TwilioStatusCallback?code=<WEBHOOKS_API_KEY>[&broadcast=<id>]`: Twilio's delivery
 * receipts (the notifier sets this URL as each message's StatusCallback). API key → 401, media
 * type → 415, size → 413, signature (like inbound SMS) → 403, malformed → 400; recorded → 204.
 */
@Controller('api')
export class StatusCallbackController {
  private readonly logger = new Logger(StatusCallbackController.name);

  constructor(
    private readonly signature: TwilioSignatureVerifier,
    private readonly receipts: StatusCallbackService,
  ) {}

  @Post('TwilioStatusCallback')
  @HttpCode(204)
  @UseGuards(ApiKeyGuard)
  @WebhookBody({ mediaType: 'application/x-www-form-urlencoded', limitBytes: BODY_LIMIT_BYTES })
  async receive(@Req() req: WebhookRequest): Promise<void> {
    const params = parseForm(req.rawBody);
    if (!this.signature.isAuthentic(req, params)) {
      this.logger.warn({ msg: 'Twilio status callback rejected: missing or invalid X-Twilio-Signature' });
      throw new ForbiddenException();
    }
    try {
      await this.receipts.record(toStatusCallback(params, req.query));
    } catch (err) {
      if (err instanceof InvalidStatusCallbackError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
