// The gateway (HotChocolate) exposes `id: ID!` of Node types as opaque global ids: base64 of
// "<TypeName>:<key>", where the key is text (ints, and GUIDs in some versions) or, for GUIDs in
// HotChocolate 14's compact form, the 16 raw bytes of a .NET Guid. Some inputs, however, take the
// database key (CreatePlanSubscriptionInput's String ids are parsed as GUIDs; PatchPlanInput.id is
// the plan's Int id), so the client needs the key behind a node id.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMPACT_UUID = /^[0-9a-f]{32}$/i;
const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface DecodedNodeId {
  typeName: string;
  key: string;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function encodeNodeId(typeName: string, key: string | number): string {
  return Buffer.from(`${typeName}:${key}`, 'utf8').toString('base64');
}

/** The type name and key of a global id, or null when `id` is not one. GUID keys come back hyphenated, lower case. */
export function decodeNodeId(id: string): DecodedNodeId | null {
  if (!BASE64.test(id) || isUuid(id)) return null;
  const bytes = Buffer.from(id, 'base64');
  const colon = bytes.indexOf(0x3a);
  if (colon < 1) return null;
  const typeName = bytes.subarray(0, colon).toString('utf8');
  if (!TYPE_NAME.test(typeName)) return null;
  const rest = bytes.subarray(colon + 1);
  const text = rest.toString('utf8');
  if (/^[\x21-\x7e]+$/.test(text)) return { typeName, key: normalizeGuid(text) };
  if (rest.length === 16) return { typeName, key: guidFromDotNetBytes(rest) };
  return null;
}

/** The GUID behind a node id, or the id itself when it already is a GUID; null otherwise. */
export function uuidKeyOf(id: string): string | null {
  if (isUuid(id)) return id.toLowerCase();
  const key = decodeNodeId(id)?.key;
  return key !== undefined && isUuid(key) ? key : null;
}

/** The Int database key behind a node id (or a numeric string); null otherwise. */
export function intKeyOf(id: string): number | null {
  const key = /^\d+$/.test(id) ? id : decodeNodeId(id)?.key;
  if (key === undefined || !/^\d{1,10}$/.test(key)) return null;
  const value = Number(key);
  return value <= 2_147_483_647 ? value : null;
}

function normalizeGuid(text: string): string {
  if (COMPACT_UUID.test(text)) {
    const h = text.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return isUuid(text) ? text.toLowerCase() : text;
}

/** .NET Guid.ToByteArray order: the first three groups are little-endian. */
function guidFromDotNetBytes(b: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Array.from(b.subarray(from, to));
    return (reverse ? part.reverse() : part).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}
