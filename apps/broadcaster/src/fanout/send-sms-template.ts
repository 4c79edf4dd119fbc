import { randomUUID } from 'node:crypto';
import { encodeEvent } from '@app/shared/codec/encode.js';
import { encodeSendSmsKey } from '@app/shared/codec/keys.js';
import { SEND_SMS_TYPE } from '@app/shared/codec/messages.js';

/**
 * Encodes the same SendSms notification for many recipients fast: the value is encoded (and
 * validated) once per locale by the wire codec with a placeholder phone number, and each
 * recipient's number is then spliced in where the placeholder was. The result is exactly what
 * `encodeEvent` writes (the codec writes strings with JSON.stringify), at a fraction of the cost
 * for a 100,000-recipient broadcast. Values are strings, not Buffers: the producer writes a string
 * straight into its record batch, while a Buffer per message is a slice of an 8 KB pool that V8
 * counts as external memory, and at a broadcast's rate that memory started a full garbage
 * collection every few hundred milliseconds (docs/benchmarks.md).
 */
export class SendSmsTemplate {
  private readonly placeholder = `phone-${randomUUID()}`;
  private readonly byLocale = new Map<string, readonly [string, string]>();

  constructor(
    private readonly resourceKey: string,
    private readonly replacements: Readonly<Record<string, string>>,
  ) {}

  /** The encoded value (JSON) for one recipient. `phoneNumber` must be non-empty. */
  encode(phoneNumber: string, locale: string): string {
    const [before, after] = this.partsFor(locale);
    return `${before}${JSON.stringify(phoneNumber)}${after}`;
  }

  private partsFor(locale: string): readonly [string, string] {
    let parts = this.byLocale.get(locale);
    if (!parts) {
      const encoded = encodeEvent({
        $type: SEND_SMS_TYPE,
        phoneNumber: this.placeholder,
        resourceKey: this.resourceKey,
        locale,
        replacements: { ...this.replacements },
      });
      parts = splitAt(encoded, this.placeholder);
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
