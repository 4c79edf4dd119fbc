// Reads JSON the way the C# services do: JsonSerializer.Deserialize<T>(bytes) with default options
// (dotnet/Nudges.Kafka/Middleware/DefaultDeserializer.cs), for the types in csharp-types.ts.
// The result is what the C# object would hold, or the exception C# would throw.
//
// Decisions, each following STJ's default behaviour:
// - Names match case-sensitively; a JSON name that matches no member (e.g. "phoneNumber") is skipped
//   unread, so the member keeps its default: null, Guid.Empty, 0 (JsonUnmappedMemberHandling.Skip).
// - Missing members: `required` ones (only DeadLetterEvent's ExceptionType, ExceptionMessage, Topic,
//   EventKey) → JsonException; others → the CLR default or the C# initializer (member.whenMissing).
//   Positional-record constructor parameters that are missing are passed as default (null for
//   strings, even non-nullable ones): RespectRequiredConstructorParameters and
//   RespectNullableAnnotations are off. `required` checks presence only, so a required member
//   present as null is accepted and holds null.
// - Duplicate names: the last occurrence wins, for members and dictionary keys alike
//   (AllowDuplicateProperties defaults to true in .NET 10; earlier versions behave the same).
// - Polymorphic families: the first property must be "$type" (AllowOutOfOrderMetadataProperties is
//   off). No "$"-named first property → the abstract base is instantiated → NotSupportedException.
//   Any other "$"-named property in a polymorphic object, a second "$type", a non-string or unknown
//   discriminator → JsonException. In non-polymorphic types "$type" is an ordinary unknown name.
//   Metadata names are compared unescaped (.NET 9+), so "\u0024type" counts as "$type".
// - Token types: string members take a string or null; Guid takes a 36-char "D" string (any hex case)
//   and never null; int and enum take an integer token in int32 range (no fraction, exponent or string);
//   enum values outside the declared names are kept (C# holds an undefined enum value);
//   Dictionary<string,string> takes an object of string-or-null values, or null.
// - A string whose escapes decode to a lone surrogate → JsonException when C# unescapes it: always for
//   property names, and for values only when they are bound (skipped values are never unescaped).
// - The whole input must be one JSON value (RFC 8259, no comments, no trailing commas, no BOM for
//   byte input), else JsonException. A top-level `null` deserializes to null.

import {
  CSharpException,
  type CsError,
  type CsExceptionType,
  type CsFamily,
  type CsMember,
  type CsObject,
  type CsObjectType,
  type CsStringMap,
  type CsType,
  type CsTypeName,
  type CsValue,
  OBJECT_TYPES,
  canonicalDateTimeOffset,
  canonicalGuid,
  clrDefault,
  describeType,
  parseInt32,
} from './csharp-types.js';
import { type JsonNode, type JsonProperty, JsonSyntaxError, parseOrderedJson } from './ordered-json.js';

export type CsReadResult = { ok: true; value: CsObject | null } | { ok: false; error: CsError };

/** Deserializes `json` as C# type `type` would; never throws for bad input, returns the C# exception instead. */
export function readLikeCSharp(type: CsTypeName, json: string | Uint8Array): CsReadResult {
  try {
    const root = parse(typeof json === 'string' ? json : decodeUtf8(json));
    return { ok: true, value: readRoot(describeType(type), root) };
  } catch (error) {
    if (error instanceof CSharpException) return { ok: false, error: error.toCsError() };
    throw error;
  }
}

/** Like readLikeCSharp, but throws a CSharpException as C# would throw its exception. */
export function readLikeCSharpOrThrow(type: CsTypeName, json: string | Uint8Array): CsObject | null {
  const result = readLikeCSharp(type, json);
  if (!result.ok) throw new CSharpException(result.error.exception, result.error.message, result.error.path);
  return result.value;
}

function fail(exception: CsExceptionType, message: string, path: string): never {
  throw new CSharpException(exception, message, path);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail('JsonException', 'The input is not valid UTF-8.', '$');
  }
}

function parse(text: string): JsonNode {
  try {
    return parseOrderedJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) fail('JsonException', error.message, '$');
    throw error;
  }
}

function readRoot(type: CsObjectType | CsFamily, node: JsonNode): CsObject | null {
  if (node.kind === 'null') return null;
  return type.kind === 'family' ? readFamily(type, node, '$') : readObject(type, node, '$');
}

function readFamily(family: CsFamily, node: JsonNode, path: string): CsObject {
  if (node.kind !== 'object') fail('JsonException', `The JSON value could not be converted to ${family.name}.`, path);
  const [first, ...rest] = node.props;
  if (!first || !first.name.startsWith('$')) {
    fail('NotSupportedException', `Deserialization of interface or abstract types is not supported. Type '${family.name}'.`, path);
  }
  if (first.name !== '$type') failMetadata(first, path);
  const discriminator = first.value.kind === 'string' ? first.value.value : undefined;
  if (discriminator === undefined) fail('JsonException', 'The metadata property $type must be a JSON string.', `${path}.$type`);
  const derived = family.derived[discriminator];
  if (!derived) fail('JsonException', `Read unrecognized type discriminator id '${discriminator}'.`, `${path}.$type`);
  return { $type: discriminator, ...bindMembers(derived, rest, path, true) };
}

function failMetadata(prop: JsonProperty, path: string): never {
  return fail(
    'JsonException',
    'The metadata property is either not supported by the type or is not the first property in the deserialized JSON object.',
    `${path}.${prop.name}`,
  );
}

function readObject(type: CsObjectType, node: JsonNode, path: string): CsObject {
  if (node.kind !== 'object') fail('JsonException', `The JSON value could not be converted to ${type.name}.`, path);
  return bindMembers(type, node.props, path, false);
}

function bindMembers(type: CsObjectType, props: readonly JsonProperty[], path: string, polymorphic: boolean): CsObject {
  const bound = new Map<string, CsValue>();
  for (const prop of props) {
    if (!prop.nameWellFormed) fail('JsonException', 'Cannot read invalid UTF-16 JSON text as string.', path);
    if (polymorphic && prop.name.startsWith('$')) failMetadata(prop, path);
    const member = type.members.find((m) => m.name === prop.name);
    if (!member || member.readOnly) continue;
    bound.set(member.name, readValue(member.type, prop.value, `${path}.${prop.name}`));
  }
  const missing = type.members.filter((m) => m.required && !bound.has(m.name)).map((m) => `'${m.name}'`);
  if (missing.length > 0) {
    fail(
      'JsonException',
      `JSON deserialization for type '${type.name}' was missing required properties including: ${missing.join(', ')}.`,
      path,
    );
  }
  const view: CsObject = {};
  for (const member of type.members) view[member.name] = bound.has(member.name) ? bound.get(member.name)! : valueWhenMissing(member);
  const error = type.check?.(view);
  if (error) fail(error.exception, error.message, path);
  return view;
}

function valueWhenMissing(member: CsMember): CsValue {
  return member.whenMissing !== undefined ? member.whenMissing : clrDefault(member.type);
}

function readValue(type: CsType, node: JsonNode, path: string): CsValue {
  switch (type.kind) {
    case 'string':
      return node.kind === 'null' ? null : readString(node, path, 'String');
    case 'guid':
      return canonicalGuid(readString(node, path, 'Guid')) ?? failConvert('Guid', path);
    case 'dateTimeOffset':
      return canonicalDateTimeOffset(readString(node, path, 'DateTimeOffset')) ?? failConvert('DateTimeOffset', path);
    case 'int':
      return (node.kind === 'number' ? parseInt32(node.raw) : undefined) ?? failConvert('Int32', path);
    case 'enum':
      return (node.kind === 'number' ? parseInt32(node.raw) : undefined) ?? failConvert(type.name, path);
    case 'stringMap':
      return node.kind === 'null' ? null : readStringMap(node, path);
    case 'object':
      return node.kind === 'null' ? null : readObject(OBJECT_TYPES[type.type], node, path);
  }
}

function readString(node: JsonNode, path: string, clrType: string): string {
  if (node.kind !== 'string') return failConvert(clrType, path);
  if (!node.wellFormed) fail('JsonException', 'Cannot read invalid UTF-16 JSON text as string.', path);
  return node.value;
}

function failConvert(clrType: string, path: string): never {
  return fail('JsonException', `The JSON value could not be converted to System.${clrType}.`, path);
}

function readStringMap(node: JsonNode, path: string): CsStringMap {
  if (node.kind !== 'object') failConvert('Collections.Generic.Dictionary`2[System.String,System.String]', path);
  const map: CsStringMap = Object.create(null) as CsStringMap;
  for (const prop of node.props) {
    if (!prop.nameWellFormed) fail('JsonException', 'Cannot read invalid UTF-16 JSON text as string.', path);
    const entryPath = `${path}.${prop.name}`;
    map[prop.name] = prop.value.kind === 'null' ? null : readString(prop.value, entryPath, 'String');
  }
  return map;
}
