import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { maskText } from '../logging/free-text-mask.js';
import { isCanonicalBase64, isWellFormedUnicode, toEncodedBytes, type EncodedBytes } from './bytes.js';
import { formatIssue } from './decode.js';
import { decodeFailure, decoded, type DecodeError, type DecodeInput, type DecodeResult } from './decode-result.js';
import { readJsonObject } from './json-reader.js';
import { RawJson, writeJsonObject } from './json-writer.js';
import { decodeEventKey, eventKeyPartSchema } from './keys.js';
import {
  DEAD_LETTER_SOURCES,
  type DeadLetterKey,
  type DeadLetterOriginal,
  type DeadLetterReasonCode,
  type DeadLetterRecord,
  type DeadLetterSource,
  type EdgeDeadLetterDetails,
  type FailureType,
  type KnownReasonCode,
} from './messages.js';
import { dictionaryOf, nonEmpty } from './wire-shapes.js';

/** Header values as Kafka clients hand them over (kafkajs gives an array for a repeated header). */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | null | undefined>;

export interface DeadLetterInput {
  source: DeadLetterSource;
  reasonCode: DeadLetterReasonCode;
  /** For humans; must not contain secrets, stack traces or phone numbers (use maskPhone). */
  reason: string;
  attempts: number;
  failureType: FailureType;
  /** Where the message came from: its Kafka topic, or `http:<endpoint>` for a webhook request. */
  topic: string;
  original: {
    topic?: string;
    partition?: number;
    offset?: string;
    key: Buffer | string | null;
    value: Buffer | string | null;
    headers?: RawHeaders;
  };
  /** The failed key's type; by default the original key's `EventType`, else `Unknown`. */
  failedKeyType?: string;
  stripeEventId?: string;
  stripeEventType?: string;
  /** Defaults to a fresh UUID v4. */
  id?: string;
  /** Defaults to now. */
  failedAt?: Date;
}

export interface DeadLetter {
  key: DeadLetterKey;
  record: DeadLetterRecord;
}

/**
 * Builds a dead letter a C# `DeadLetterEvent` reader can read (no stack trace: ours never carry
 * one), with this project's byte-exact copy of the original message beside it.
 */
export function createDeadLetter(input: DeadLetterInput): DeadLetter {
  const id = input.id ?? randomUUID();
  const failedKey = { type: input.failedKeyType ?? keyTypeOf(input.original.key), id: randomUUID() };
  const eventKey = { type: 'MessageFailed', id };
  const record: DeadLetterRecord = {
    exceptionType: input.reasonCode,
    // Callers mask what they know of; this catches the rest (Twilio echoes the number, with or without +).
    exceptionMessage: maskText(input.reason),
    stackTrace: null,
    innerExceptionType: null,
    innerExceptionMessage: null,
    innerExceptionStackTrace: null,
    topic: input.topic,
    eventKey,
    timestamp: (input.failedAt ?? new Date()).toISOString(),
    originalKeyJson: textOf(input.original.key),
    originalValueJson: textOf(input.original.value),
    originalHeaders: headerTexts(input.original.headers ?? {}),
    attemptCount: input.attempts,
    failureType: input.failureType,
    edge: edgeDetails(input),
  };
  return { key: { eventKey, failedKey }, record };
}

function edgeDetails(input: DeadLetterInput): EdgeDeadLetterDetails {
  const { original } = input;
  return {
    source: input.source,
    reasonCode: input.reasonCode,
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

function keyTypeOf(key: Buffer | string | null): string {
  const decodedKey = decodeEventKey(key);
  return decodedKey.ok ? decodedKey.value.eventType : 'Unknown';
}

function textOf(bytes: Buffer | string | null): string | null {
  if (bytes === null) return null;
  if (typeof bytes === 'string') return bytes;
  return isUtf8(bytes) ? bytes.toString('utf8') : null;
}

/** Header values as text, as the C# handlers record them; null when there are none. */
function headerTexts(headers: RawHeaders): Record<string, string> | null {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined && value !== null) out[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return Object.keys(out).length > 0 ? out : null;
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

// ---- writing ----

/** The record's JSON: the C# DeadLetterEvent's properties in their declared order, then ours. */
export function encodeDeadLetter(record: DeadLetterRecord): string {
  return writeJsonObject([
    ['ExceptionType', record.exceptionType],
    ['ExceptionMessage', record.exceptionMessage],
    ['StackTrace', record.stackTrace],
    ['InnerExceptionType', record.innerExceptionType],
    ['InnerExceptionMessage', record.innerExceptionMessage],
    ['InnerExceptionStackTrace', record.innerExceptionStackTrace],
    ['Topic', record.topic],
    ['EventKey', { Type: record.eventKey.type, Id: record.eventKey.id }],
    ['Timestamp', record.timestamp],
    ['OriginalKeyJson', record.originalKeyJson],
    ['OriginalValueJson', record.originalValueJson],
    ['OriginalHeaders', record.originalHeaders === null ? null : new RawJson(writeJsonObject(Object.entries(record.originalHeaders)))],
    ['AttemptCount', record.attemptCount],
    ['FailureType', record.failureType],
    ...(record.edge ? edgeEntries(record.edge) : []),
  ]);
}

function edgeEntries(edge: EdgeDeadLetterDetails): [string, unknown][] {
  const { original } = edge;
  const headers = writeJsonObject(Object.entries(original.headers).map(([name, bytes]) => [name, writeBytes(bytes)]));
  const originalJson = writeJsonObject([
    ['Topic', original.topic],
    ['Partition', original.partition],
    ['Offset', original.offset],
    ['Key', original.key && writeBytes(original.key)],
    ['Value', original.value && writeBytes(original.value)],
    ['Headers', new RawJson(headers)],
  ]);
  return [
    ['Source', edge.source],
    ['ReasonCode', edge.reasonCode],
    ['StripeEventId', edge.stripeEventId],
    ['StripeEventType', edge.stripeEventType],
    ['Original', new RawJson(originalJson)],
  ];
}

const writeBytes = (bytes: EncodedBytes): RawJson =>
  new RawJson(
    writeJsonObject([
      ['Encoding', bytes.encoding],
      ['Data', bytes.data],
    ]),
  );

// ---- reading ----

const nullableText = () => z.string().nullable().default(null);

const encodedBytes = z
  .discriminatedUnion('Encoding', [
    z.object({
      Encoding: z.literal('utf8'),
      Data: z.string().refine(isWellFormedUnicode, 'utf8 data must not contain unpaired surrogates'),
    }),
    z.object({ Encoding: z.literal('base64'), Data: z.string().refine(isCanonicalBase64, 'base64 data must be canonical padded base64') }),
  ])
  .transform((b): EncodedBytes => ({ encoding: b.Encoding, data: b.Data }));

const originalSchema = z
  .object({
    Topic: nonEmpty().optional(),
    Partition: z.int().min(0).optional(),
    Offset: z
      .string()
      .regex(/^(0|[1-9]\d*)$/, 'must be a non-negative decimal integer')
      .optional(),
    Key: encodedBytes.nullable(),
    Value: encodedBytes.nullable(),
    Headers: dictionaryOf(encodedBytes),
  })
  .transform((o): DeadLetterOriginal =>
    dropUndefined({ topic: o.Topic, partition: o.Partition, offset: o.Offset, key: o.Key, value: o.Value, headers: o.Headers }),
  );

const edgeSchema = z
  .object({
    Source: z.enum(DEAD_LETTER_SOURCES),
    ReasonCode: z.string().regex(/^\S{1,200}$/, 'must be 1 to 200 characters without whitespace'),
    StripeEventId: nonEmpty().optional(),
    StripeEventType: nonEmpty().optional(),
    Original: originalSchema,
  })
  .transform((e): EdgeDeadLetterDetails =>
    dropUndefined({
      source: e.Source,
      reasonCode: e.ReasonCode,
      stripeEventId: e.StripeEventId,
      stripeEventType: e.StripeEventType,
      original: e.Original,
    }),
  );

// The C# DeadLetterEvent: ExceptionType, ExceptionMessage, Topic and EventKey are `required`.
const csharpSchema = z.object({
  ExceptionType: z.string(),
  ExceptionMessage: z.string(),
  StackTrace: nullableText(),
  InnerExceptionType: nullableText(),
  InnerExceptionMessage: nullableText(),
  InnerExceptionStackTrace: nullableText(),
  Topic: z.string(),
  EventKey: eventKeyPartSchema,
  Timestamp: z.iso.datetime({ offset: true, local: false, error: 'must be an ISO-8601 timestamp with offset' }).nullable().default(null),
  OriginalKeyJson: nullableText(),
  OriginalValueJson: nullableText(),
  OriginalHeaders: dictionaryOf(z.string()).nullable().default(null),
  AttemptCount: z.int().default(0),
  FailureType: z.int().min(0).default(0),
});

const EDGE_PROPERTIES = ['Source', 'ReasonCode', 'Original'];

/**
 * Reads a `deadletter` value, written by a C# handler or by this project (`edge` set when the
 * record carries our properties). Names are case-sensitive and there is no `$type`. Never throws.
 */
export function decodeDeadLetter(input: DecodeInput): DecodeResult<DeadLetterRecord> {
  const object = readJsonObject(input);
  if (!object.ok) return object;
  const parsed = csharpSchema.safeParse(object.value);
  if (!parsed.success) return invalid(parsed.error.issues);
  const hasEdge = EDGE_PROPERTIES.some((p) => Object.hasOwn(object.value, p));
  const edge = hasEdge ? edgeSchema.safeParse(object.value) : undefined;
  if (edge && !edge.success) return invalid(edge.error.issues);
  return decoded(toRecord(parsed.data, edge?.data));
}

function toRecord(c: z.output<typeof csharpSchema>, edge: EdgeDeadLetterDetails | undefined): DeadLetterRecord {
  const record: DeadLetterRecord = {
    exceptionType: c.ExceptionType,
    exceptionMessage: c.ExceptionMessage,
    stackTrace: c.StackTrace,
    innerExceptionType: c.InnerExceptionType,
    innerExceptionMessage: c.InnerExceptionMessage,
    innerExceptionStackTrace: c.InnerExceptionStackTrace,
    topic: c.Topic,
    eventKey: c.EventKey,
    timestamp: c.Timestamp ?? '',
    originalKeyJson: c.OriginalKeyJson,
    originalValueJson: c.OriginalValueJson,
    originalHeaders: c.OriginalHeaders,
    attemptCount: c.AttemptCount,
    failureType: c.FailureType,
  };
  if (edge) record.edge = edge;
  return record;
}

function invalid(issues: z.core.$ZodIssue[]): DecodeResult<never> {
  const lines = issues.map(formatIssue);
  return decodeFailure('invalid-fields', `invalid dead letter: ${lines.join('; ')}`, { issues: lines });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `poison.<kind>` for a message that could not be decoded, e.g. `poison.invalid-json`. */
export const poisonReasonCode = (error: DecodeError): KnownReasonCode => `poison.${error.kind}`;

/** `twilio.<code>` for a request Twilio refused, e.g. `twilio.21211` (invalid To number). */
export const twilioReasonCode = (code: number | string): DeadLetterReasonCode => `twilio.${code}`;
