import type { z } from 'zod';
import {
  decodeFailure,
  decoded,
  truncate,
  type DecodeInput,
  type DecodeOptions,
  type DecodeResult,
} from './decode-result.js';
import { parseJsonObject, readText } from './json-reader.js';
import type { DeadLetterEvent, ForeignProductEvent, NotificationEvent, PaymentEvent, WireEvent } from './messages.js';
import {
  ALL_SCHEMAS,
  DEAD_LETTER_SCHEMAS,
  FOREIGN_PRODUCT_SCHEMAS,
  NOTIFICATION_SCHEMAS,
  PAYMENT_SCHEMAS,
} from './schemas.js';

type Schemas<T> = ReadonlyMap<string, z.ZodType<T>>;

const TYPE_FIRST = /^\uFEFF?[ \t\r\n]*\{[ \t\r\n]*"\$type"[ \t\r\n]*:/;

/** Reads a value of the `notifications` topic. Never throws. */
export const decodeNotification = (input: DecodeInput, options?: DecodeOptions): DecodeResult<NotificationEvent> =>
  decodeFamily(NOTIFICATION_SCHEMAS, 'notifications', input, options);

/** Reads a value of the `payments` topic. Never throws. */
export const decodePayment = (input: DecodeInput, options?: DecodeOptions): DecodeResult<PaymentEvent> =>
  decodeFamily(PAYMENT_SCHEMAS, 'payments', input, options);

/** Reads a value of the `foreign-products` topic. Never throws. */
export const decodeForeignProduct = (input: DecodeInput, options?: DecodeOptions): DecodeResult<ForeignProductEvent> =>
  decodeFamily(FOREIGN_PRODUCT_SCHEMAS, 'foreign-products', input, options);

/** Reads a value of the `deadletter` topic. Never throws. */
export const decodeDeadLetter = (input: DecodeInput, options?: DecodeOptions): DecodeResult<DeadLetterEvent> =>
  decodeFamily(DEAD_LETTER_SCHEMAS, 'deadletter', input, options);

/** Reads any message of the contract, whatever its topic. Never throws. */
export const decodeAny = (input: DecodeInput, options?: DecodeOptions): DecodeResult<WireEvent> =>
  decodeFamily(ALL_SCHEMAS, 'contract', input, options);

/**
 * bytes → UTF-8 text → JSON object → `$type` → schema of that type. Unknown properties are
 * accepted and dropped from the result; a missing or invalid required property is an error.
 */
function decodeFamily<T>(schemas: Schemas<T>, family: string, input: DecodeInput, options: DecodeOptions = {}): DecodeResult<T> {
  try {
    const text = readText(input);
    if (!text.ok) return text;
    const object = parseJsonObject(text.value);
    if (!object.ok) return object;
    const type = readType(object.value, text.value, options);
    if (!type.ok) return type;
    return validate(schemas, family, type.value, object.value);
  } catch {
    // Not expected to happen; the promise of this module is that decoding never throws.
    return decodeFailure('invalid-fields', 'value could not be decoded');
  }
}

function readType(object: Record<string, unknown>, text: string, options: DecodeOptions): DecodeResult<string> {
  const type = Object.hasOwn(object, '$type') ? object.$type : undefined;
  if (typeof type !== 'string') return decodeFailure('missing-type', 'value has no string "$type" property');
  if (options.requireTypeFirst && !TYPE_FIRST.test(text)) {
    return decodeFailure('type-not-first', '"$type" is not the first property', { type: truncate(type) });
  }
  return decoded(type);
}

function validate<T>(schemas: Schemas<T>, family: string, type: string, object: unknown): DecodeResult<T> {
  const schema = schemas.get(type);
  const shownType = truncate(type);
  if (!schema) return decodeFailure('unknown-type', `$type ${JSON.stringify(shownType)} is not a ${family} message`, { type: shownType });
  const parsed = schema.safeParse(object);
  if (parsed.success) return decoded(parsed.data);
  const issues = parsed.error.issues.map(formatIssue);
  return decodeFailure('invalid-fields', `invalid ${shownType}: ${issues.join('; ')}`, { type: shownType, issues });
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => truncate(String(p))).join('.');
  return `${path || '(value)'}: ${issue.message}`;
}
