import { Injectable, Logger } from '@nestjs/common';
import { isE164 } from '@app/shared/crypto/phone-cipher.js';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { KeywordMatcher } from './keywords.js';
import { silentReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

/**
 * STOP and Twilio's other opt-out words: Twilio has already blocked the number and answers it
 * itself, so we only remember the opt-out (later broadcasts skip the number) and reply nothing.
 * Never a draft; no gateway lookup.
 */
@Injectable()
export class OptOutHandler implements SmsCommandHandler {
  readonly command = 'opt_out';
  private readonly logger = new Logger(OptOutHandler.name);

  constructor(
    private readonly keywords: KeywordMatcher,
    private readonly optOuts: OptOutRegistry,
  ) {}

  async handle({ keyword, sms }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (this.keywords.kindOf(keyword, sms.optOutType) !== 'optOut') return undefined;
    // A sender that is no phone number (a short code, another channel) has nothing to skip later.
    if (isE164(sms.from)) await this.optOuts.optOut(sms.from, 'keyword');
    this.logger.log({ msg: 'opt-out keyword: number recorded as opted out', from: maskPhoneNumber(sms.from) });
    return silentReply();
  }
}
