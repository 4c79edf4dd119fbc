import { z } from 'zod';
import { decodeFailure, decoded, type DecodeInput, type DecodeResult } from './decode-result.js';
import { readJsonObject } from './json-reader.js';
import { writeJsonObject } from './json-writer.js';
import type { ForeignProductEvent } from './messages.js';

/** Kafka message keys. Readers in C# look at `eventType` (and `eventKey`) and ignore anything else. */
export interface EventKey {
  eventType: string;
  eventKey?: string;
  /** Only on SendSms keys that spread a broadcast over partitions. */
  recipient?: string;
}

/**
 * `{"eventType":"SendSms"}`, or with `recipient` to spread a broadcast over partitions. Pass a
 * stable non-secret id (subscriber id, or a hash of the number), not a plain phone number.
 */
export const encodeSendSmsKey = (recipient?: string): string => writeJsonObject([['eventType', 'SendSms'], ['recipient', recipient]]);

/** `{"eventType":"PaymentCompleted","eventKey":"<payment confirmation id>"}` */
export const encodePaymentKey = (paymentConfirmationId: string): string =>
  writeJsonObject([['eventType', 'PaymentCompleted'], ['eventKey', paymentConfirmationId]]);

/** `{"eventType":"<$type>","eventKey":"<Stripe product id>"}` */
export const encodeForeignProductKey = (event: Pick<ForeignProductEvent, '$type' | 'foreignProductId'>): string =>
  writeJsonObject([['eventType', event.$type], ['eventKey', event.foreignProductId]]);

/** `{"eventType":"DeadLetter","eventKey":"<record id>"}` */
export const encodeDeadLetterKey = (id: string): string => writeJsonObject([['eventType', 'DeadLetter'], ['eventKey', id]]);

const eventKeySchema = z.object({
  eventType: z.string().min(1),
  eventKey: z.string().optional(),
  recipient: z.string().optional(),
});

/** Reads a key leniently (extra properties ignored). Never throws. */
export function decodeEventKey(input: DecodeInput): DecodeResult<EventKey> {
  const object = readJsonObject(input);
  if (!object.ok) return object;
  const parsed = eventKeySchema.safeParse(object.value);
  if (parsed.success) return decoded(parsed.data);
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(key)'}: ${i.message}`);
  return decodeFailure('invalid-fields', `invalid key: ${issues.join('; ')}`, { issues });
}
