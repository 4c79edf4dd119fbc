import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import type { OutgoingSms, SentSms, SmsLogContext, SmsNotifier } from './sms-notifier.js';

/** Development notifier: writes the SMS to the log (phone masked to its last 4 digits) instead of sending it. */
export class LocalNotifier implements SmsNotifier {
  readonly kind = 'local' as const;
  private readonly logger = new Logger('LocalNotifier');

  async send(sms: OutgoingSms, context: SmsLogContext): Promise<SentSms> {
    const id = `local-${randomUUID()}`;
    this.logger.log({
      msg: `SMS to ${maskPhoneNumber(sms.to)}: ${sms.body}`,
      to: maskPhoneNumber(sms.to),
      text: sms.body,
      id,
      correlationId: context.correlationId,
    });
    return { id };
  }
}
