import { Inject, Injectable } from '@nestjs/common';
import { poisonReasonCode } from '@app/shared/codec/dead-letter.js';
import { decodeNotification } from '@app/shared/codec/decode.js';
import type { DeadLetterReasonCode, SendSmsNotification } from '@app/shared/codec/messages.js';
import { isSendSms, sendSmsRecipient } from '@app/shared/codec/send-sms.js';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import { tryResolvePhoneNumber, type PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import type { InboundMessage } from '../transport/inbound-message.js';

/** What a record of the notifications topic is: an SMS to a number, other traffic, or poison. */
export type ReadNotification =
  | { kind: 'sms'; event: SendSmsNotification; to: string }
  | { kind: 'not-sms'; type: string }
  | { kind: 'poison'; reasonCode: DeadLetterReasonCode; reason: string };

/**
 * Decodes a record and resolves its recipient (decrypting it if needed), once per record: the
 * transport reads the recipient first, to keep one recipient's SMS in order, and the delivery
 * then reads the same record object.
 */
@Injectable()
export class NotificationReader {
  private readonly memo = new WeakMap<InboundMessage, ReadNotification>();

  constructor(@Inject(PHONE_CIPHER) private readonly cipher: PhoneCipher | undefined) {}

  read(message: InboundMessage): ReadNotification {
    let read = this.memo.get(message);
    if (read === undefined) {
      read = this.decode(message);
      this.memo.set(message, read);
    }
    return read;
  }

  /** The plain number a record's SMS goes to; undefined for anything that is no deliverable SMS. */
  recipientOf(message: InboundMessage): string | undefined {
    const read = this.read(message);
    return read.kind === 'sms' ? read.to : undefined;
  }

  private decode(message: InboundMessage): ReadNotification {
    const decoded = decodeNotification(message.value);
    if (!decoded.ok) return { kind: 'poison', reasonCode: poisonReasonCode(decoded.error), reason: decoded.error.message };
    const event = decoded.value;
    if (!isSendSms(event)) return { kind: 'not-sms', type: event.$type };
    const recipient = sendSmsRecipient(event, message.key);
    if (recipient === null) {
      return {
        kind: 'poison',
        reasonCode: 'poison.no-recipient',
        reason: 'SendSms names no recipient: no PhoneNumber in the value and no EventKey in the key',
      };
    }
    const phone = tryResolvePhoneNumber(recipient, this.cipher);
    if (phone.ok) return { kind: 'sms', event, to: phone.value };
    return {
      kind: 'poison',
      reasonCode: phone.error.reason === 'not-e164' ? 'poison.invalid-phone' : 'poison.phone-decrypt',
      reason: phone.error.message,
    };
  }
}
