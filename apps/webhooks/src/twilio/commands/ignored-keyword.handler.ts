import { Inject, Injectable } from '@nestjs/common';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import { silentReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';
import { twilioWebhookConfig } from '../twilio.env.js';

/** STOP, START, UNSTOP (configurable): Twilio's own opt-out handles them; acknowledged silently, no lookup. */
@Injectable()
export class IgnoredKeywordHandler implements SmsCommandHandler {
  readonly command = 'ignored';
  private readonly keywords: ReadonlySet<string>;

  constructor(@Inject(twilioWebhookConfig.KEY) config: TwilioWebhookConfig) {
    this.keywords = new Set(config.ignoredKeywords);
  }

  async handle({ keyword }: SmsCommandInput): Promise<SmsReply | undefined> {
    return this.keywords.has(keyword) ? silentReply() : undefined;
  }
}
