import { isUtf8 } from 'node:buffer';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const E164 = /^\+[1-9]\d{6,14}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** base64 of nonce + tag alone is 38 characters unpadded; no E.164 number comes close. */
const MIN_BLOB_CHARS = 38;

export type PhoneDecryptReason =
  | 'no-key' // the value is encrypted but no EncryptionSettings__Key is configured
  | 'not-base64'
  | 'too-short' // fewer bytes than nonce + tag
  | 'authentication-failed' // wrong key, or the blob was altered
  | 'invalid-utf8'
  | 'not-e164'; // decrypted (or given) value is not an E.164 number

/** A phone number could not be recovered. The message never contains the value or the key. */
export class PhoneDecryptError extends Error {
  constructor(
    readonly reason: PhoneDecryptReason,
    message: string,
  ) {
    super(message);
    this.name = 'PhoneDecryptError';
  }
}

export class InvalidEncryptionKeyError extends Error {
  constructor(length: number) {
    super(`encryption key must be ${KEY_BYTES} bytes, got ${length}`);
    this.name = 'InvalidEncryptionKeyError';
  }
}

export type PhoneResult = { ok: true; value: string } | { ok: false; error: PhoneDecryptError };

const failure = (reason: PhoneDecryptReason, message: string): PhoneResult => ({
  ok: false,
  error: new PhoneDecryptError(reason, message),
});

/**
 * AES-256-GCM as the Nudges services use it for phone numbers:
 * `base64( nonce[12] || tag[16] || ciphertext )`, no associated data, UTF-8 plaintext.
 * The key is held as a KeyObject in a private field, so logging the cipher shows no key material.
 */
export class PhoneCipher {
  readonly #key: KeyObject;

  /** @param key 32 raw bytes, or their base64. @throws InvalidEncryptionKeyError */
  constructor(key: Uint8Array | string) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
    if (bytes.length !== KEY_BYTES) throw new InvalidEncryptionKeyError(bytes.length);
    this.#key = createSecretKey(bytes);
  }

  encrypt(plain: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, nonce, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]).toString('base64');
  }

  /** @throws PhoneDecryptError */
  decrypt(blob: string): string {
    const result = this.tryDecrypt(blob);
    if (!result.ok) throw result.error;
    return result.value;
  }

  tryDecrypt(blob: string): PhoneResult {
    const bytes = decodeBase64(blob);
    if (!bytes) return failure('not-base64', 'encrypted phone number is not base64');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) return failure('too-short', `encrypted phone number is too short (${bytes.length} bytes)`);
    const plain = this.#open(bytes);
    if (!plain) return failure('authentication-failed', 'encrypted phone number failed authentication (wrong key or altered)');
    if (!isUtf8(plain)) return failure('invalid-utf8', 'decrypted phone number is not UTF-8');
    return { ok: true, value: plain.toString('utf8') };
  }

  #open(bytes: Buffer): Buffer | undefined {
    const tagEnd = NONCE_BYTES + TAG_BYTES;
    try {
      const decipher = createDecipheriv(ALGORITHM, this.#key, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(bytes.subarray(NONCE_BYTES, tagEnd));
      return Buffer.concat([decipher.update(bytes.subarray(tagEnd)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}

/** Standard base64 alphabet; padding optional. Anything else (spaces, `-`, `_`) is rejected. */
function decodeBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !BASE64.test(text)) return undefined;
  if (text.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64');
}

export const isE164 = (value: string): boolean => E164.test(value);

/**
 * Base64 can itself start with `+` (one encrypted value in 64 does), so "starts with `+`" alone
 * would send such blobs to Twilio as if they were numbers. A value is plain when it starts with
 * `+` and is not shaped like an encrypted blob (standard base64, at least 38 characters).
 */
export const isPlainPhoneNumber = (value: string): boolean =>
  value.startsWith('+') && !(value.length >= MIN_BLOB_CHARS && BASE64.test(value));

/**
 * The phone number of an event: a plain value is returned as given (Twilio judges it); anything
 * else is decrypted with `cipher` and must then be E.164.
 */
export function tryResolvePhoneNumber(value: string, cipher: PhoneCipher | undefined): PhoneResult {
  if (typeof value !== 'string') return failure('not-e164', 'phone number is not a string');
  if (isPlainPhoneNumber(value)) return { ok: true, value };
  if (!cipher) return failure('no-key', 'phone number is encrypted but EncryptionSettings__Key is not configured');
  const plain = cipher.tryDecrypt(value);
  if (plain.ok && !isE164(plain.value)) return failure('not-e164', 'decrypted phone number is not E.164');
  return plain;
}

/** @throws PhoneDecryptError */
export function resolvePhoneNumber(value: string, cipher: PhoneCipher | undefined): string {
  const result = tryResolvePhoneNumber(value, cipher);
  if (!result.ok) throw result.error;
  return result.value;
}
