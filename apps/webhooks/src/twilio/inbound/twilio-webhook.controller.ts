import { BadRequestException, Controller, ForbiddenException, Header, HttpCode, Logger, Post, Req, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../../http/api-key.guard.js';
import { WebhookBody, type WebhookRequest } from '../../http/webhook-body.interceptor.js';
import { InboundSmsService } from './inbound-sms.service.js';
import { InvalidInboundSmsError, parseForm, toInboundSms } from './inbound-sms.js';
import { TwilioSignatureVerifier } from './twilio-signature.js';
import { TWIML_CONTENT_TYPE } from './twiml.js';

/** Room for a 1600-character body of 4-byte characters, percent-encoded, plus Twilio's other parameters. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * `POST /api/TwilioWebhookHandler?code=<WEBHOOKS_API_KEY>`: inbound SMS from Twilio. API key → 401,
 * signature → 403, malformed → 400; otherwise 200 with TwiML. Internal failures answer a generic
 * 500 (via the app's exception filter) so Twilio falls back.
 */
@Controller('api')
export class TwilioWebhookController {
  private readonly logger = new Logger(TwilioWebhookController.name);

  constructor(
    private readonly signature: TwilioSignatureVerifier,
    private readonly sms: InboundSmsService,
  ) {}

  @Post('TwilioWebhookHandler')
  @HttpCode(200)
  @Header('Content-Type', TWIML_CONTENT_TYPE)
  @UseGuards(ApiKeyGuard)
  @WebhookBody({ mediaType: 'application/x-www-form-urlencoded', limitBytes: BODY_LIMIT_BYTES })
  async receive(@Req() req: WebhookRequest): Promise<string> {
    const params = parseForm(req.rawBody);
    if (!this.signature.isAuthentic(req, params)) {
      this.logger.warn({ msg: 'Twilio webhook rejected: missing or invalid X-Twilio-Signature' });
      throw new ForbiddenException();
    }
    try {
      return await this.sms.reply(toInboundSms(params));
    } catch (err) {
      if (err instanceof InvalidInboundSmsError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
