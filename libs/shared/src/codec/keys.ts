import { z } from 'zod';
import { decodeFailure, decoded, type DecodeInput, type DecodeResult } from './decode-result.js';
import { readJsonObject } from './json-reader.js';
import { writeJsonObject } from './json-writer.js';
import type { DeadLetterKey, ForeignProductEvent } from './messages.js';
import { guid, nonEmpty } from './wire-shapes.js';

/**
 * Kafka message keys as the C# key records declare them. `eventKey` is the earlier SendSms
 * generation's recipient (a phone number), a payment's confirmation node id, a product's id.
 */
export interface EventKey {
  eventType: string;
  eventKey?: string;
  /** Only on the SendSms keys of a broadcast: spreads them over partitions. Never a phone number. */
  recipient?: string;
}

/**
 * `{"EventType":"SendSms"}`, or with `Recipient` to spread a broadcast over partitions: a stable
 * non-secret id (subscriber id, or a hash of the number). Never `EventKey`, which earlier-generation
 * readers take as the phone number.
 */
export const encodeSendSmsKey = (recipient?: string): string =>
  writeJsonObject([
    ['EventType', 'SendSms'],
    ['Recipient', recipient],
  ]);

/** `{"EventType":"PaymentCompleted","EventKey":"<payment confirmation node id>"}` */
export const encodePaymentKey = (paymentConfirmationNodeId: string): string =>
  writeJsonObject([
    ['EventType', 'PaymentCompleted'],
    ['EventKey', paymentConfirmationNodeId],
  ]);

/** `{"EventType":"<$type>","EventKey":"<Stripe product id>"}` */
export const encodeForeignProductKey = (event: Pick<ForeignProductEvent, '$type' | 'foreignProductId'>): string =>
  writeJsonObject([
    ['EventType', event.$type],
    ['EventKey', event.foreignProductId],
  ]);

/** `{"EventKey":{"Type":"MessageFailed","Id":…},"FailedKey":{"Type":…,"Id":…}}` (C#'s DeadLetterEventKey). */
export const encodeDeadLetterKey = (key: DeadLetterKey): string =>
  writeJsonObject([
    ['EventKey', { Type: key.eventKey.type, Id: key.eventKey.id }],
    ['FailedKey', { Type: key.failedKey.type, Id: key.failedKey.id }],
  ]);

const eventKeySchema = z
  .object({ EventType: nonEmpty(), EventKey: z.string().optional(), Recipient: z.string().optional() })
  .transform((k): EventKey => ({ eventType: k.EventType, eventKey: k.EventKey, recipient: k.Recipient }));

/** Reads an `{"EventType", …}` key (names case-sensitive, extra properties ignored). Never throws. */
export function decodeEventKey(input: DecodeInput): DecodeResult<EventKey> {
  const object = readJsonObject(input);
  if (!object.ok) return object;
  const parsed = eventKeySchema.safeParse(object.value);
  if (parsed.success) return decoded(dropUndefined(parsed.data));
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(key)'}: ${i.message}`);
  return decodeFailure('invalid-fields', `invalid key: ${issues.join('; ')}`, { issues });
}

export const eventKeyPartSchema = z.object({ Type: nonEmpty(), Id: guid() }).transform((k) => ({ type: k.Type, id: k.Id }));
const deadLetterKeySchema = z
  .object({ EventKey: eventKeyPartSchema, FailedKey: eventKeyPartSchema })
  .transform((k): DeadLetterKey => ({ eventKey: k.EventKey, failedKey: k.FailedKey }));

/** Reads a dead-letter key. Never throws. */
export function decodeDeadLetterKey(input: DecodeInput): DecodeResult<DeadLetterKey> {
  const object = readJsonObject(input);
  if (!object.ok) return object;
  const parsed = deadLetterKeySchema.safeParse(object.value);
  if (parsed.success) return decoded(parsed.data);
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(key)'}: ${i.message}`);
  return decodeFailure('invalid-fields', `invalid dead-letter key: ${issues.join('; ')}`, { issues });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
