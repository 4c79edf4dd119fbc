import { maskPhone } from '../crypto/mask.js';

/**
 * What never reaches a log line: secrets are removed by path (pino's `redact`), phone numbers are
 * masked to their last four digits wherever they appear in a message or a logged value.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'apiKey',
  'authToken',
  'secret',
  'clientSecret',
  'password',
  'signature',
];

export const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-twilio-signature"]',
  'req.query.code',
  'res.headers["set-cookie"]',
];

const E164_IN_TEXT = /\+[1-9]\d{6,14}(?!\d)/g;
// `code` as a query parser may still read it (or a client may still mean it): percent-encoded
// letters, a bracket suffix (`code[]`, `code[a]`), after an encoded `&` (`%26`).
const CODE_PARAM = String.raw`((?:[?&]|%26)(?:c|%63)(?:o|%6f)(?:d|%64)(?:e|%65)(?:\[[^\]=&#\s"]*\]|%5b[^=&#\s"]*)?(?:=|%3d))`;
const URL_CODE_PARAM = new RegExp(String.raw`${CODE_PARAM}[^&#\s]*`, 'gi');
// Inside a JSON string the value ends at the closing quote; an escaped character (\" or \\) is part of it.
const URL_CODE_PARAM_IN_JSON = new RegExp(String.raw`${CODE_PARAM}(?:[^&#\s"\\]|\\.)*`, 'gi');
const MAYBE_SENSITIVE = /\+[1-9]|(?:e|%65)(?:\[[^\]]*\]|%5b[^=&]*)?(?:=|%3d)/i;

/** Masks every E.164 number in free text and removes the webhook API key from URLs. */
export function scrubText(text: string): string {
  return text.replace(E164_IN_TEXT, (phone) => maskPhone(phone)).replace(URL_CODE_PARAM, '$1[REDACTED]');
}

/**
 * The same masking over one finished JSON log line (pino's `streamWrite` hook), so it covers
 * everything the line carries: the message, bindings, serializer output and any value logged.
 */
export function scrubJsonLine(line: string): string {
  if (!MAYBE_SENSITIVE.test(line)) return line;
  return line.replace(E164_IN_TEXT, (phone) => maskPhone(phone)).replace(URL_CODE_PARAM_IN_JSON, '$1[REDACTED]');
}

/**
 * A logged object as pino may serialize it: nested plain objects and arrays are copied with every
 * Error reduced to its summary (no stack, no enumerable extras) and every string scrubbed. Other
 * objects (an IncomingMessage, a ServerResponse, class instances) are left to pino's serializers
 * and to the line-level scrub (scrubJsonLine) instead of being deep-copied on every log call.
 */
export function scrubLogObject(value: Record<string, unknown>): Record<string, unknown> {
  return scrubPlain(value, 0, new WeakSet<object>()) as Record<string, unknown>;
}

function scrubPlain(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return errorSummary(value);
  const array = Array.isArray(value);
  if (!array && !isPlainObject(value)) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (array) return value.map((v) => scrubPlain(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key)) out[key] = scrubPlain((value as Record<string, unknown>)[key], depth + 1, seen);
  }
  return out;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Deep copy of a logged value with every string scrubbed; cycles and depth are bounded. */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1, seen));
  if (value instanceof Error) return errorSummary(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1, seen);
  return out;
}

/** An error as logs may show it: type, message and code; never the stack. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err === null || typeof err !== 'object') return { message: scrubText(String(err)) };
  const { name, message, code, type } = err as { name?: unknown; message?: unknown; code?: unknown; type?: unknown };
  return {
    type: typeof type === 'string' ? type : typeof name === 'string' ? name : 'Error',
    message: scrubText(typeof message === 'string' ? message : String(err)),
    ...(code !== undefined ? { code } : {}),
  };
}

/** Phone masking for log fields (the one implementation lives with the phone cipher). */
export { maskPhone as maskPhoneNumber } from '../crypto/mask.js';
