import { decodeFailure, decoded, truncate, type DecodeInput, type DecodeOptions, type DecodeResult } from './decode-result.js';
import { parseJsonObject, readText } from './json-reader.js';
import type { ForeignProductEvent, NotificationEvent, PaymentEvent, WireEvent } from './messages.js';
import { ALL_SHAPES, FOREIGN_PRODUCT_SHAPES, NOTIFICATION_SHAPES, PAYMENT_SHAPES, type WireShape } from './wire-shapes.js';
import type { z } from 'zod';

type Shapes<T> = ReadonlyMap<string, WireShape<T>>;

const FIRST_NAME = /^\uFEFF?[ \t\r\n]*\{[ \t\r\n]*("(?:[^"\\]|\\.)*")/;

/** The first property name of a JSON object's text, unescaped (C# compares names after unescaping). */
function firstPropertyName(text: string): string | undefined {
  const match = FIRST_NAME.exec(text);
  return match ? (JSON.parse(match[1]) as string) : undefined;
}

/** Reads a value of the `notifications` topic (SendSms of both generations, the other C# traffic). Never throws. */
export const decodeNotification = (input: DecodeInput, options?: DecodeOptions): DecodeResult<NotificationEvent> =>
  decodeFamily(NOTIFICATION_SHAPES, 'notifications', input, options);

/** Reads a value of the `payments` topic. Never throws. */
export const decodePayment = (input: DecodeInput, options?: DecodeOptions): DecodeResult<PaymentEvent> =>
  decodeFamily(PAYMENT_SHAPES, 'payments', input, options);

/** Reads a value of the `foreign-products` topic. Never throws. */
export const decodeForeignProduct = (input: DecodeInput, options?: DecodeOptions): DecodeResult<ForeignProductEvent> =>
  decodeFamily(FOREIGN_PRODUCT_SHAPES, 'foreign-products', input, options);

/** Reads any message of the contract that has a `$type`, whatever its topic. Never throws. */
export const decodeAny = (input: DecodeInput, options?: DecodeOptions): DecodeResult<WireEvent> =>
  decodeFamily(ALL_SHAPES, 'contract', input, options);

/**
 * bytes → UTF-8 text → JSON object → `$type` (first, as C# requires) → the PascalCase properties of
 * that type, matched case-sensitively. Unknown properties are ignored; a missing or invalid
 * required property is an error.
 */
function decodeFamily<T>(shapes: Shapes<T>, family: string, input: DecodeInput, options: DecodeOptions = {}): DecodeResult<T> {
  try {
    const text = readText(input);
    if (!text.ok) return text;
    const object = parseJsonObject(text.value);
    if (!object.ok) return object;
    const type = readType(object.value, text.value, options);
    if (!type.ok) return type;
    return validate(shapes, family, type.value, object.value);
  } catch {
    // Not expected to happen; the promise of this module is that decoding never throws.
    return decodeFailure('invalid-fields', 'value could not be decoded');
  }
}

function readType(object: Record<string, unknown>, text: string, options: DecodeOptions): DecodeResult<string> {
  const type = Object.hasOwn(object, '$type') ? object.$type : undefined;
  if (typeof type !== 'string') return decodeFailure('missing-type', 'value has no string "$type" property');
  if (options.allowTypeAnywhere !== true && firstPropertyName(text) !== '$type') {
    return decodeFailure('type-not-first', '"$type" is not the first property', { type: truncate(type) });
  }
  return decoded(type);
}

function validate<T>(shapes: Shapes<T>, family: string, type: string, object: unknown): DecodeResult<T> {
  const shape = shapes.get(type);
  const shownType = truncate(type);
  if (!shape) return decodeFailure('unknown-type', `$type ${JSON.stringify(shownType)} is not a ${family} message`, { type: shownType });
  const parsed = shape.read.safeParse(object);
  if (parsed.success) return decoded(parsed.data);
  const issues = parsed.error.issues.map(formatIssue);
  return decodeFailure('invalid-fields', `invalid ${shownType}: ${issues.join('; ')}`, { type: shownType, issues });
}

export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => truncate(String(p))).join('.');
  return `${path || '(value)'}: ${issue.message}`;
}
