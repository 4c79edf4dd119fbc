import { truncate } from './decode-result.js';
import { writeJsonObject } from './json-writer.js';
import type { ForeignProductEvent, PaymentEvent, SendSmsNotification } from './messages.js';
import { ALL_SHAPES, type WireShape } from './wire-shapes.js';

/** The messages this project writes (the other types of the contract are only read). */
export type WritableEvent = SendSmsNotification | PaymentEvent | ForeignProductEvent;

/** The event given to `encodeEvent` breaks the contract (unknown `$type`, bad GUID, missing field, ...). */
export class EventEncodeError extends Error {
  constructor(
    readonly type: string,
    readonly issues: string[],
  ) {
    super(`cannot encode ${type}: ${issues.join('; ')}`);
    this.name = 'EventEncodeError';
  }
}

/**
 * Encodes a message as UTF-8 JSON text a C# reader binds in full: `$type` first, then the PascalCase
 * properties in the order the C# record declares them, no whitespace, nulls written, dictionary
 * keys as given. The wire object is checked with the rules the decoder uses, so what we write, we
 * can read. A lone surrogate becomes U+FFFD, as System.Text.Json's encoder writes it (no reader
 * could take it as it is).
 * @throws EventEncodeError when the event does not satisfy the contract.
 */
export function encodeEvent(event: WritableEvent): string {
  const type = typeof event?.$type === 'string' ? event.$type : '(no $type)';
  const shape = ALL_SHAPES.get(type);
  if (!shape || shape.fields.length === 0) throw new EventEncodeError(truncate(type), ['$type: not a message type this project writes']);
  const entries = wireEntries(shape, event as unknown as Record<string, unknown>);
  const issues = missingOnWrite(shape, event as unknown as Record<string, unknown>);
  const parsed = shape.read.safeParse(Object.fromEntries(entries));
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`));
  if (issues.length > 0 || !parsed.success) throw new EventEncodeError(type, issues);
  // Written from what the reader made of it: GUIDs in their canonical lower-case form.
  return writeJsonObject([['$type', type], ...wireEntries(shape, parsed.data as unknown as Record<string, unknown>)]);
}

const wireEntries = (shape: WireShape<unknown>, event: Record<string, unknown>): [string, unknown][] =>
  shape.fields.map((f) => [f.wire, wellFormed(event[f.name] === undefined && f.requiredOnWrite !== true ? null : event[f.name])]);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const toWellFormed = (text: string) => text.replace(LONE_SURROGATE, '\uFFFD');

/** Strings (also as dictionary keys and values) with every lone surrogate replaced by U+FFFD. */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[toWellFormed(k)] = wellFormed(v);
  return out;
}

const missingOnWrite = (shape: WireShape<unknown>, event: Record<string, unknown>): string[] =>
  shape.fields
    .filter((f) => f.requiredOnWrite && (event[f.name] === null || event[f.name] === undefined))
    .map((f) => `${f.wire}: is required`);
