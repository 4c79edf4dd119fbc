import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Request } from 'express';
// Only the webhooks helpers, not the package index with its REST client (see twiml.ts).
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import type { FormParams } from './inbound-sms.js';
import { twilioWebhookConfig } from '../twilio.env.js';

/**
 * Checks `X-Twilio-Signature`: HMAC-SHA1 (auth token) of the exact URL Twilio called, query string
 * included, followed by the sorted POST parameters. Behind a proxy or tunnel that URL is the
 * configured public base URL plus the path and query Node received; without one it is rebuilt
 * from the request (X-Forwarded-Proto/Host honoured from TRUST_PROXY addresses only).
 */
@Injectable()
export class TwilioSignatureVerifier implements OnApplicationBootstrap {
  private readonly logger = new Logger(TwilioSignatureVerifier.name);

  constructor(@Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig) {}

  onApplicationBootstrap(): void {
    if (this.config.signatureValidationDisabled) {
      this.logger.warn({
        msg: 'X-Twilio-Signature validation is OFF (TWILIO_SIGNATURE_VALIDATION_DISABLED=true): anyone with the API key can post SMS webhooks',
      });
    }
  }

  /** True when validation is off or the signature matches the public URL and parameters. */
  isAuthentic(req: Request, params: FormParams): boolean {
    if (this.config.signatureValidationDisabled) return true;
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') return false;
    return validateRequest(this.config.authToken, signature, this.publicUrl(req), params);
  }

  /** The URL Twilio called, as it signed it. */
  publicUrl(req: Request): string {
    const base = this.config.publicUrl ?? `${req.protocol}://${req.host ?? ''}`;
    return `${base}${req.originalUrl}`;
  }
}
