import { randomUUID } from 'node:crypto';
import { toEncodedBytes, type EncodedBytes } from './bytes.js';
import type { DecodeError } from './decode-result.js';
import {
  DEAD_LETTER_TYPE,
  type DeadLetterReasonCode,
  type DeadLetterRecord,
  type DeadLetterSource,
  type KnownReasonCode,
} from './messages.js';

/** Header values as Kafka clients hand them over (kafkajs gives an array for a repeated header). */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | null | undefined>;

export interface DeadLetterInput {
  source: DeadLetterSource;
  reasonCode: DeadLetterReasonCode;
  /** For humans; must not contain secrets or phone numbers (use maskPhone). */
  reason: string;
  attempts: number;
  original: {
    topic?: string;
    partition?: number;
    offset?: string;
    key: Buffer | string | null;
    value: Buffer | string | null;
    headers?: RawHeaders;
  };
  stripeEventId?: string;
  stripeEventType?: string;
  /** Defaults to a fresh UUID v4. */
  id?: string;
  /** Defaults to now. */
  failedAt?: Date;
}

/** Builds a dead-letter record that keeps the original bytes exactly. Encode it with `encodeEvent`. */
export function createDeadLetterRecord(input: DeadLetterInput): DeadLetterRecord {
  const { original } = input;
  return {
    $type: DEAD_LETTER_TYPE,
    id: input.id ?? randomUUID(),
    source: input.source,
    reasonCode: input.reasonCode,
    reason: input.reason,
    attempts: input.attempts,
    failedAt: (input.failedAt ?? new Date()).toISOString(),
    stripeEventId: input.stripeEventId,
    stripeEventType: input.stripeEventType,
    original: {
      topic: original.topic,
      partition: original.partition,
      offset: original.offset,
      key: toEncodedBytes(original.key),
      value: toEncodedBytes(original.value),
      headers: encodeHeaders(original.headers ?? {}),
    },
  };
}

/** Encodes Kafka headers. Of a repeated header only the last value is kept; absent values are skipped. */
export function encodeHeaders(headers: RawHeaders): Record<string, EncodedBytes> {
  const out = Object.create(null) as Record<string, EncodedBytes>;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined && value !== null) out[name] = toEncodedBytes(value);
  }
  return out;
}

/** `poison.<kind>` for a message that could not be decoded, e.g. `poison.invalid-json`. */
export const poisonReasonCode = (error: DecodeError): KnownReasonCode => `poison.${error.kind}`;

/** `twilio.<code>` for a request Twilio refused, e.g. `twilio.21211` (invalid To number). */
export const twilioReasonCode = (code: number | string): DeadLetterReasonCode => `twilio.${code}`;
