import { Injectable, Logger } from '@nestjs/common';
import { isE164 } from '@app/shared/crypto/phone-cipher.js';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { KeywordMatcher } from './keywords.js';
import { silentReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

/**
 * START, UNSTOP, YES: Twilio has already lifted its block and answers the sender itself; we clear
 * our opt-out record so broadcasts reach the number again, and reply nothing. Never a draft.
 */
@Injectable()
export class OptInHandler implements SmsCommandHandler {
  readonly command = 'opt_in';
  private readonly logger = new Logger(OptInHandler.name);

  constructor(
    private readonly keywords: KeywordMatcher,
    private readonly optOuts: OptOutRegistry,
  ) {}

  async handle({ keyword, sms }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (this.keywords.kindOf(keyword, sms.optOutType) !== 'optIn') return undefined;
    if (isE164(sms.from)) await this.optOuts.optIn(sms.from);
    this.logger.log({ msg: 'opt-in keyword: opt-out record cleared', from: maskPhoneNumber(sms.from) });
    return silentReply();
  }
}
