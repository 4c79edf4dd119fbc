import { maskPhone } from '../crypto/mask.js';
import { scrubText } from './redact.js';

// What `dlq list | show` print comes from other programs: a C# handler's exception message may hold
// anything (a phone number in any format, a connection string, a token), and so may a Twilio error
// text. Every free text shown goes through maskText; stack traces are never shown at all.

// `+15555550100`, `+1 (555) 555-0100`, and the same with `+` escaped as System.Text.Json writes it.
const PLUS_PHONE = /(\+|\\u002[bB])((?:\(\d{1,4}\)|\d{1,4})(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){1,7})(?!\d)/g;
const digitCount = (text: string) => text.replace(/\D/g, '').length;
// A bare run of 7 or more digits wherever it is (a number Twilio echoes without `+`, one glued to
// a word, a card number), except inside a GUID, which the first alternative matches as a whole.
const BARE_DIGITS = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?<!\d)\d{7,}(?!\d)/g;
// `(555) 555-0100`, `555-555-0100`, `555.555.0100`, `555 555 0100`.
const NANP_FORMATTED = /(?<![\dA-Za-z])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\dA-Za-z])/g;

const SECRET_NAME = String.raw`(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|auth[_-]?token|refresh[_-]?token|api[_-]?key|apikey|authorization|signature|sig|credentials?)`;
// `Password=…;`, `token: …`, `"apiKey":"…"`, `authToken=…&`
const SECRET_ASSIGNMENT = new RegExp(String.raw`\b(${SECRET_NAME}\\?"?\s*[=:]\s*\\?"?)(?:(?:Bearer|Basic)\s+)?[^\s;,&"'\\]+`, 'gi');
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const STRIPE_KEY = /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+|\bwhsec_[A-Za-z0-9]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** Masks phone numbers (last 4 digits kept, any format) and removes secrets from free text. */
export function maskText(text: string): string {
  const masked = text
    .replace(JWT, '[REDACTED]')
    .replace(STRIPE_KEY, '[REDACTED]')
    .replace(SECRET_ASSIGNMENT, '$1[REDACTED]')
    .replace(BEARER, '$1 [REDACTED]')
    .replace(URL_USERINFO, '$1[REDACTED]@')
    .replace(PLUS_PHONE, (m, plus: string, number: string) => (digitCount(number) >= 7 ? `${plus}${maskPhone(number)}` : m))
    .replace(NANP_FORMATTED, (m) => maskPhone(m))
    .replace(BARE_DIGITS, (m) => (m.includes('-') ? m : maskPhone(m)));
  // `?code=` keys of webhook URLs, and anything scrubText learns later.
  return scrubText(masked);
}

// A .NET stack frame (`   at Ns.Type.Method(…) in /src/File.cs:line 42`), the markers between
// rethrown parts, and the truncation note of the C# ExceptionHelper.
const STACK_LINE = /^\s*(?:at\s+\S|---\s*End of|\.\.\. \(truncated\)|\.\.\.\s*\d+ more)/;

/** `(stack trace omitted, N lines)`, or null when there is none. Never the trace itself. */
export function stackTraceSummary(stackTrace: string | null | undefined): string | null {
  if (stackTrace === null || stackTrace === undefined || stackTrace.trim() === '') return null;
  const lines = stackTrace.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '').length;
  return `(stack trace omitted, ${lines} line${lines === 1 ? '' : 's'})`;
}

/**
 * An exception message for display: masked, and any stack frames a message carries in itself (some
 * exceptions append their inner exception's trace) cut out and counted.
 */
export function exceptionText(message: string | null | undefined): string | null {
  if (message === null || message === undefined) return null;
  const lines = message.split(/\r\n|\r|\n/);
  const kept = lines.filter((l) => !STACK_LINE.test(l));
  const cut = lines.length - kept.length;
  const text = maskText(kept.join('\n').trimEnd());
  return cut === 0 ? text : `${text}${text ? ' ' : ''}(stack trace omitted, ${cut} line${cut === 1 ? '' : 's'})`;
}

// Header values that are credentials whatever they hold.
const SECRET_HEADER = /authorization|cookie|token|secret|signature|password|api[-_]?key/i;
// A W3C trace context carries only hex ids: shown as it is (its digit runs are no phone numbers).
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A header value for display: `[REDACTED]` for credential headers, otherwise masked text. */
export function headerText(name: string, value: string): string {
  if (SECRET_HEADER.test(name)) return '[REDACTED]';
  if (name.toLowerCase() === 'traceparent' && TRACEPARENT.test(value)) return value;
  return maskText(value);
}
