import type { EncodedBytes } from './bytes.js';
import { truncate } from './decode-result.js';
import { RawJson, writeJsonObject } from './json-writer.js';
import { FIELD_ORDER, ORIGINAL_FIELD_ORDER, type DeadLetterOriginal, type WireEvent } from './messages.js';
import { ALL_SCHEMAS } from './schemas.js';

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
 * Encodes any message of the contract as UTF-8 JSON text: `$type` first, then the fields in the
 * order of `FIELD_ORDER`, no whitespace, `undefined` left out, dictionary keys as given. The event
 * is validated with the same schema the decoder uses, so what we write, we can read.
 * @throws EventEncodeError when the event does not satisfy the contract.
 */
export function encodeEvent(event: WireEvent): string {
  const type = typeof event?.$type === 'string' ? event.$type : '(no $type)';
  const schema = ALL_SCHEMAS.get(type);
  if (!schema) throw new EventEncodeError(truncate(type), ['$type: not a message type of the contract']);
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    throw new EventEncodeError(type, parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`));
  }
  return writeEvent(parsed.data);
}

function writeEvent(event: WireEvent): string {
  const order = FIELD_ORDER[event.$type] as readonly string[];
  const fields = event as unknown as Record<string, unknown>;
  return writeJsonObject(order.map((name) => [name, name === 'original' ? writeOriginal(fields[name] as DeadLetterOriginal) : fields[name]]));
}

function writeOriginal(original: DeadLetterOriginal): RawJson {
  const headers = writeJsonObject(Object.entries(original.headers).map(([name, bytes]) => [name, writeBytes(bytes)]));
  const fields: Partial<Record<keyof DeadLetterOriginal, unknown>> = {
    ...original,
    key: original.key && writeBytes(original.key),
    value: original.value && writeBytes(original.value),
    headers: new RawJson(headers),
  };
  return new RawJson(writeJsonObject(ORIGINAL_FIELD_ORDER.map((name) => [name, fields[name]])));
}

const writeBytes = (bytes: EncodedBytes): RawJson =>
  new RawJson(writeJsonObject([['encoding', bytes.encoding], ['data', bytes.data]]));
