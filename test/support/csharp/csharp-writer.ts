// Writes the bytes (as a string; it is pure ASCII) that JsonSerializer.Serialize(value) with default
// options produces for the types in csharp-types.ts:
// - no whitespace; members in declaration order; a polymorphic value's "$type" first;
// - null members written as null (DefaultIgnoreCondition is Never);
// - Guid lower-case "D"; int and enum as integers; Dictionary entries in the given order
//   (a Map keeps insertion order exactly; a plain object follows JS key order, which puts
//   integer-like keys first);
// - DateTimeOffset as STJ writes it: round-trip "O" format with the fraction's trailing zeros trimmed
//   (omitted when zero) and the offset always as ±hh:mm, e.g. "2025-12-18T10:00:00.1234567+00:00",
//   "2025-12-18T10:00:00.5+00:00", "2025-12-18T10:00:00+00:00";
// - strings and names escaped as STJ's default encoder does (escapeLikeCSharp).
// The input is the C#-side object; anything C# could not hold (a member missing or misspelled, a
// malformed Guid, a non-int32 number, an unknown $type) throws an Error instead.

import {
  type CsFamily,
  type CsMember,
  type CsObject,
  type CsObjectType,
  type CsType,
  type CsTypeName,
  type CsValue,
  OBJECT_TYPES,
  canonicalDateTimeOffset,
  canonicalGuid,
  describeType,
  parseInt32,
} from './csharp-types.js';

export type CsStringMapInput = ReadonlyMap<string, string | null> | Readonly<Record<string, string | null>>;

/** The JSON text C# writes for `value` of type `type` (the C# object; null writes `null`). */
export function writeLikeCSharp(type: CsTypeName, value: CsObject | null): string {
  if (value === null) return 'null';
  const description = describeType(type);
  return description.kind === 'family' ? writeFamily(description, value) : writeObject(description, value, '$');
}

const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x5c: '\\\\' };
// Printable ASCII that JavaScriptEncoder.Default still escapes (HTML-sensitive, and the backtick).
const HEX_ESCAPED = new Set(['"', '&', "'", '+', '<', '>', '`'].map((c) => c.charCodeAt(0)));

/**
 * The escaped content (without the surrounding quotes) of `text` as STJ's default encoder writes it:
 * printable ASCII as is, except " & ' + < > ` as \u0022 \u0026 \u0027 \u002B \u003C \u003E \u0060;
 * backslash and \b \t \n \f \r as short escapes; other controls (incl. DEL) and every non-ASCII
 * UTF-16 unit as \uXXXX in upper-case hex (an astral character becomes its surrogate pair's escapes).
 * A lone surrogate becomes \uFFFD: the encoder substitutes U+REPLACEMENT CHARACTER for invalid UTF-16.
 */
export function escapeLikeCSharp(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      out += hexEscape(unit) + hexEscape(text.charCodeAt(++i));
    } else if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      out += '\\uFFFD';
    } else {
      out += escapeUnit(unit);
    }
  }
  return out;
}

/** escapeLikeCSharp with the quotes: the JSON string literal C# writes. */
export function jsonStringLikeCSharp(text: string): string {
  return `"${escapeLikeCSharp(text)}"`;
}

function escapeUnit(unit: number): string {
  const short = SHORT_ESCAPES[unit];
  if (short) return short;
  if (unit < 0x20 || unit > 0x7e || HEX_ESCAPED.has(unit)) return hexEscape(unit);
  return String.fromCharCode(unit);
}

const hexEscape = (unit: number) => `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

function writeFamily(family: CsFamily, value: CsObject): string {
  const discriminator = value['$type'];
  const derived = typeof discriminator === 'string' ? family.derived[discriminator] : undefined;
  if (!derived) throw new Error(`${family.name}: unknown $type ${JSON.stringify(discriminator)}`);
  return writeMembers(derived, value, '$', [`"$type":${jsonStringLikeCSharp(discriminator as string)}`]);
}

function writeObject(type: CsObjectType, value: CsValue, path: string): string {
  if (typeof value !== 'object' || value === null || value instanceof Map) throw new Error(`${path}: expected a ${type.name} object`);
  return writeMembers(type, value as CsObject, path, []);
}

function writeMembers(type: CsObjectType, value: CsObject, path: string, parts: string[]): string {
  const known = new Set(['$type', ...type.members.map((m) => m.name)]);
  const stray = Object.keys(value).find((k) => !known.has(k));
  if (stray !== undefined) throw new Error(`${path}: ${type.name} has no member ${JSON.stringify(stray)}`);
  for (const member of type.members)
    parts.push(`${jsonStringLikeCSharp(member.name)}:${writeMember(member, value[member.name], `${path}.${member.name}`)}`);
  return `{${parts.join(',')}}`;
}

function writeMember(member: CsMember, value: CsValue | undefined, path: string): string {
  if (value === undefined) throw new Error(`${path}: missing (a C# object always holds every member)`);
  return writeValue(member.type, value, path);
}

function writeValue(type: CsType, value: CsValue, path: string): string {
  if (value === null) {
    if (type.kind === 'string' || type.kind === 'stringMap' || type.kind === 'object') return 'null';
    throw new Error(`${path}: a C# ${type.kind} cannot be null`);
  }
  switch (type.kind) {
    case 'string':
      return jsonStringLikeCSharp(expectString(value, path));
    case 'guid':
      return `"${canonicalGuid(expectString(value, path)) ?? fail(path, 'not a Guid in "D" format')}"`;
    case 'dateTimeOffset':
      return `"${canonicalDateTimeOffset(expectString(value, path)) ?? fail(path, 'not an ISO-8601 DateTimeOffset')}"`;
    case 'int':
    case 'enum':
      return writeInt32(value, path);
    case 'stringMap':
      return writeStringMap(value as CsStringMapInput, path);
    case 'object':
      return writeObject(OBJECT_TYPES[type.type], value, path);
  }
}

function expectString(value: CsValue, path: string): string {
  return typeof value === 'string' ? value : fail(path, 'expected a string');
}

function writeInt32(value: CsValue, path: string): string {
  if (typeof value !== 'number' || parseInt32(String(value)) === undefined) fail(path, 'expected an int32');
  return String(value);
}

function writeStringMap(map: CsStringMapInput, path: string): string {
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map);
  const parts = entries.map(([key, entry]) => {
    if (entry !== null && typeof entry !== 'string') fail(`${path}.${key}`, 'expected a string or null');
    return `${jsonStringLikeCSharp(key)}:${entry === null ? 'null' : jsonStringLikeCSharp(entry)}`;
  });
  return `{${parts.join(',')}}`;
}

function fail(path: string, message: string): never {
  throw new Error(`${path}: ${message}`);
}
