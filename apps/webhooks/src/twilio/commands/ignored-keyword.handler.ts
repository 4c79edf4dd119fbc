import { Inject, Injectable } from '@nestjs/common';
import { TWILIO_CONFIG, type TwilioWebhookConfig } from '../twilio.env.js';
import { silentReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

/** STOP, START, UNSTOP (configurable): Twilio's own opt-out handles them; acknowledged silently, no lookup. */
@Injectable()
export class IgnoredKeywordHandler implements SmsCommandHandler {
  readonly command = 'ignored';
  private readonly keywords: ReadonlySet<string>;

  constructor(@Inject(TWILIO_CONFIG) config: TwilioWebhookConfig) {
    this.keywords = new Set(config.ignoredKeywords);
  }

  async handle({ keyword }: SmsCommandInput): Promise<SmsReply | undefined> {
    return this.keywords.has(keyword) ? silentReply() : undefined;
  }
}
