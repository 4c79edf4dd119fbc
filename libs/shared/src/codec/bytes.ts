import { isUtf8 } from 'node:buffer';

/**
 * Bytes carried inside a JSON document (the dead-letter record keeps the original Kafka key, value
 * and headers this way). `utf8` when the bytes are valid UTF-8, so operators can read them;
 * `base64` otherwise. Either way `fromEncodedBytes(toEncodedBytes(b))` gives back `b` exactly.
 */
export interface EncodedBytes {
  encoding: 'utf8' | 'base64';
  data: string;
}

/** Strings are taken as their UTF-8 bytes (what a Kafka client would send for them). */
export function toEncodedBytes(bytes: Buffer | string): EncodedBytes;
export function toEncodedBytes(bytes: Buffer | string | null): EncodedBytes | null;
export function toEncodedBytes(bytes: Buffer | string | null): EncodedBytes | null {
  if (bytes === null) return null;
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (isUtf8(buf)) return { encoding: 'utf8', data: buf.toString('utf8') };
  return { encoding: 'base64', data: buf.toString('base64') };
}

export function fromEncodedBytes(encoded: EncodedBytes): Buffer {
  return Buffer.from(encoded.data, encoded.encoding === 'utf8' ? 'utf8' : 'base64');
}

/** True when `data` is canonical standard base64 (padded), so decoding and re-encoding are exact. */
export function isCanonicalBase64(data: string): boolean {
  if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return false;
  return Buffer.from(data, 'base64').toString('base64') === data;
}

/** A string with an unpaired UTF-16 surrogate has no exact UTF-8 form. */
export function isWellFormedUnicode(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}
