import { isUtf8 } from 'node:buffer';
import { decodeFailure, decoded, type DecodeInput, type DecodeResult } from './decode-result.js';

const BOM = '\uFEFF';

export function readText(input: DecodeInput): DecodeResult<string> {
  if (input === null || input === undefined) return decodeFailure('invalid-json', 'no value (null or tombstone)');
  if (typeof input === 'string') return decoded(input);
  if (!(input instanceof Uint8Array)) return decodeFailure('invalid-json', 'value is neither bytes nor a string');
  if (!isUtf8(input)) return decodeFailure('invalid-utf8', `value is not valid UTF-8 (${input.length} bytes)`);
  return decoded(Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8'));
}

/** Parses a JSON object. A leading BOM is tolerated. JSON.parse's own message is not used: it quotes the input. */
export function parseJsonObject(text: string): DecodeResult<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.startsWith(BOM) ? text.slice(1) : text);
  } catch {
    return decodeFailure('invalid-json', `value is not valid JSON (${text.length} characters)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return decodeFailure('not-an-object', `value is JSON but not an object (${describe(parsed)})`);
  }
  return decoded(parsed as Record<string, unknown>);
}

export function readJsonObject(input: DecodeInput): DecodeResult<Record<string, unknown>> {
  const text = readText(input);
  return text.ok ? parseJsonObject(text.value) : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
