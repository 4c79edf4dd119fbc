import { randomUUID } from 'node:crypto';
import { encodeEvent } from '@app/shared/codec/encode.js';
import { encodeSendSmsKey } from '@app/shared/codec/keys.js';
import { SEND_SMS_TYPE } from '@app/shared/codec/messages.js';

/**
 * Encodes the same SendSms notification for many recipients fast: the value is encoded (and
 * validated) once per locale by the wire codec with a placeholder phone number, and each
 * recipient's number is then spliced in where the placeholder was. The result is byte-for-byte
 * the UTF-8 of what `encodeEvent` writes (the codec writes strings with JSON.stringify), at a
 * fraction of the cost for a 100,000-recipient broadcast. Values are Buffers: the text around the
 * number is UTF-8-encoded once per locale instead of once per message (a draft with an emoji makes
 * the whole value a two-byte string, which Kafka's client would otherwise re-encode every time),
 * and the bytes live outside the JS heap while the message waits in a produce request.
 */
export class SendSmsTemplate {
  private readonly placeholder = `phone-${randomUUID()}`;
  private readonly byLocale = new Map<string, readonly [Buffer, Buffer]>();

  constructor(
    private readonly resourceKey: string,
    private readonly replacements: Readonly<Record<string, string>>,
  ) {}

  /** The encoded value (UTF-8 JSON) for one recipient. `phoneNumber` must be non-empty. */
  encode(phoneNumber: string, locale: string): Buffer {
    const [before, after] = this.partsFor(locale);
    const phone = JSON.stringify(phoneNumber);
    const phoneBytes = Buffer.byteLength(phone, 'utf8');
    const value = Buffer.allocUnsafe(before.length + phoneBytes + after.length);
    before.copy(value, 0);
    value.write(phone, before.length, phoneBytes, 'utf8');
    after.copy(value, before.length + phoneBytes);
    return value;
  }

  private partsFor(locale: string): readonly [Buffer, Buffer] {
    let parts = this.byLocale.get(locale);
    if (!parts) {
      const encoded = encodeEvent({
        $type: SEND_SMS_TYPE,
        phoneNumber: this.placeholder,
        resourceKey: this.resourceKey,
        locale,
        replacements: { ...this.replacements },
      });
      const [before, after] = splitAt(encoded, this.placeholder);
      parts = [Buffer.from(before, 'utf8'), Buffer.from(after, 'utf8')] as const;
      this.byLocale.set(locale, parts);
    }
    return parts;
  }
}

const KEY_PLACEHOLDER = `recipient-${randomUUID()}`;
const [KEY_BEFORE, KEY_AFTER] = splitAt(encodeSendSmsKey(KEY_PLACEHOLDER), KEY_PLACEHOLDER);

/** `encodeSendSmsKey(recipientId)`, byte for byte, without the generic JSON writer's per-call work. */
export function sendSmsKeyOf(recipientId: string): string {
  return `${KEY_BEFORE}${JSON.stringify(recipientId)}${KEY_AFTER}`;
}

/** The text before and after the JSON string `placeholder` in `encoded`. */
function splitAt(encoded: string, placeholder: string): readonly [string, string] {
  const marker = JSON.stringify(placeholder);
  const at = encoded.indexOf(marker);
  if (at < 0) throw new Error('the codec did not write the placeholder as a plain JSON string');
  return [encoded.slice(0, at), encoded.slice(at + marker.length)] as const;
}
