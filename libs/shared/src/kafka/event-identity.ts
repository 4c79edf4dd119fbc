import { createHash } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { BROADCAST_ID_HEADER } from '../broadcast/broadcast-id.js';

/** Headers that carry an explicit message id, in order of preference. */
export const MESSAGE_ID_HEADERS = ['message-id', 'nudges-message-id', 'ce_id', 'idempotency-key'] as const;

/** The parts of a consumed Kafka record an identity is made of. */
export interface ConsumedRecord {
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * The identity under which a notification's delivery is recorded. It must be the same every time
 * the same event is read again (after a crash, a rebalance, a broker restart) and differ between
 * two events, even two with the same text for the same person.
 *
 * - A message-id header, when the producer set one, is the identity.
 * - A SendSms of a broadcast (the fan-out's `nudges-broadcast-id` header): SHA-256 of the broadcast
 *   id, key and value, without the timestamp. A broadcast sends each subscriber one SMS, so two of
 *   its records with the same key and value are copies (a produce request a client wrote twice
 *   stamps a new CreateTime on the same bytes); records to different numbers still differ.
 * - Otherwise: SHA-256 of the record's timestamp, key and value. The timestamp is the producer's
 *   CreateTime: a producer retry resends the same record with the same timestamp (so it is
 *   recognised as a duplicate), while a second, legitimately identical notification (two logins)
 *   gets its own. Topic/partition/offset are not part of it: they change when a record is
 *   produced again, e.g. by a retrying producer.
 */
export function eventIdentity(message: ConsumedRecord): string {
  for (const name of MESSAGE_ID_HEADERS) {
    const value = headerText(message.headers[name]);
    if (value) return `m-${sha256([Buffer.from(value, 'utf8')])}`;
  }
  const broadcastId = headerText(message.headers[BROADCAST_ID_HEADER]);
  if (broadcastId) return `b-${sha256([Buffer.from(broadcastId, 'utf8'), message.key ?? EMPTY, message.value ?? EMPTY])}`;
  return `h-${sha256([Buffer.from(message.timestamp, 'utf8'), message.key ?? EMPTY, message.value ?? EMPTY])}`;
}

const EMPTY = Buffer.alloc(0);

function sha256(parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    // length-prefixed, so ("ab","c") and ("a","bc") differ
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length).update(part);
  }
  return hash.digest('base64url');
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[value.length - 1] : value;
  if (one === undefined) return undefined;
  const text = (typeof one === 'string' ? one : one.toString('utf8')).trim();
  return text.length > 0 ? text : undefined;
}
