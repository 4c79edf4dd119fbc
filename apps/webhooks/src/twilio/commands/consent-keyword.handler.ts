import { Injectable, Logger } from '@nestjs/common';
import { isE164 } from '@app/shared/crypto/phone-cipher.js';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { KeywordMatcher, type KeywordKind } from './keywords.js';
import { silentReply, type SmsCommandHandler, type SmsCommandInput, type SmsCommandName, type SmsReply } from './sms-command.js';

const RECORDED = {
  optIn: 'opt-in keyword: opt-out record cleared',
  optOut: 'opt-out keyword: number recorded as opted out',
};

/**
 * Twilio's opt-out and opt-in keywords. Twilio has already changed its block and answers the sender
 * itself, so we only keep our opt-out registry in step and reply nothing. Never a draft.
 */
@Injectable()
export abstract class ConsentKeywordHandler implements SmsCommandHandler {
  abstract readonly command: SmsCommandName;
  protected abstract readonly kind: Exclude<KeywordKind, 'help'>;
  private readonly logger = new Logger(this.constructor.name);

  constructor(
    private readonly keywords: KeywordMatcher,
    private readonly optOuts: OptOutRegistry,
  ) {}

  async handle({ keyword, sms }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (this.keywords.kindOf(keyword, sms.optOutType) !== this.kind) return undefined;
    // A sender that is no phone number (a short code, another channel) is never broadcast to.
    if (isE164(sms.from)) await this.record(sms.from);
    this.logger.log({ msg: RECORDED[this.kind], from: maskPhoneNumber(sms.from) });
    return silentReply();
  }

  private record(phoneNumber: string): Promise<void> {
    return this.kind === 'optIn' ? this.optOuts.optIn(phoneNumber) : this.optOuts.optOut(phoneNumber, 'keyword');
  }
}
