import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  InvalidEncryptionKeyError,
  PhoneCipher,
  PhoneDecryptError,
  resolvePhoneNumber,
  tryResolvePhoneNumber,
  type PhoneDecryptReason,
} from './phone-cipher.js';

// Known answer, computed once with WebCrypto (which returns ciphertext||tag) and rearranged by hand
// into the contract's layout nonce||tag||ciphertext. Key = bytes 0x00..0x1f, nonce = 0xa0..0xab.
const KAT_KEY_B64 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const KAT_BLOB = 'oKGio6SlpqeoqaqrswkmZ7rO5tMaF0HvZvcq4c0pSRhw/jeKUlS34w==';
const KAT_PLAIN = '+15555550100';

const key = Buffer.from(KAT_KEY_B64, 'base64');

function reasonOf(run: () => unknown): PhoneDecryptReason {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PhoneDecryptError);
    return (error as PhoneDecryptError).reason;
  }
  throw new Error('expected a PhoneDecryptError');
}

describe('PhoneCipher', () => {
  it('decrypts the known-answer vector', () => {
    expect(new PhoneCipher(key).decrypt(KAT_BLOB)).toBe(KAT_PLAIN);
    expect(new PhoneCipher(KAT_KEY_B64).decrypt(KAT_BLOB)).toBe(KAT_PLAIN);
  });

  it('matches a blob built by hand with createCipheriv and a fixed nonce', () => {
    const nonce = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaab', 'hex');
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const ciphertext = Buffer.concat([cipher.update(KAT_PLAIN, 'utf8'), cipher.final()]);
    const blob = Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]).toString('base64');
    expect(blob).toBe(KAT_BLOB);
  });

  it('encrypts into nonce || tag || ciphertext, readable by a hand-written decryption', () => {
    const raw = Buffer.from(new PhoneCipher(key).encrypt('+447700900123'), 'base64');
    expect(raw.length).toBe(12 + 16 + Buffer.byteLength('+447700900123'));
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    expect(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')).toBe('+447700900123');
  });

  it('uses a fresh nonce for every encryption', () => {
    const cipher = new PhoneCipher(key);
    expect(cipher.encrypt(KAT_PLAIN)).not.toBe(cipher.encrypt(KAT_PLAIN));
  });

  it('round-trips any text', () => {
    const cipher = new PhoneCipher(randomBytes(32));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => expect(cipher.decrypt(cipher.encrypt(text))).toBe(text)),
      {
        numRuns: 50,
      },
    );
  });

  it('rejects a tampered tag, nonce or ciphertext', () => {
    const cipher = new PhoneCipher(key);
    const raw = Buffer.from(KAT_BLOB, 'base64');
    for (const index of [0, 12, 27, 28, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index]! ^= 0x01;
      expect(reasonOf(() => cipher.decrypt(tampered.toString('base64')))).toBe('authentication-failed');
    }
  });

  it('rejects the wrong key', () => {
    expect(reasonOf(() => new PhoneCipher(randomBytes(32)).decrypt(KAT_BLOB))).toBe('authentication-failed');
  });

  it('rejects input shorter than nonce + tag, and non-base64 input', () => {
    const cipher = new PhoneCipher(key);
    expect(reasonOf(() => cipher.decrypt(Buffer.alloc(27).toString('base64')))).toBe('too-short');
    expect(reasonOf(() => cipher.decrypt(''))).toBe('not-base64');
    expect(reasonOf(() => cipher.decrypt('not base64!'))).toBe('not-base64');
    expect(reasonOf(() => cipher.decrypt('oKGi-6Sl_qeo'))).toBe('not-base64');
    expect(reasonOf(() => cipher.decrypt('A'))).toBe('not-base64');
  });

  it('rejects a plaintext that is not UTF-8', () => {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    const ct = Buffer.concat([c.update(Buffer.from([0xff, 0xfe])), c.final()]);
    const blob = Buffer.concat([nonce, c.getAuthTag(), ct]).toString('base64');
    expect(reasonOf(() => new PhoneCipher(key).decrypt(blob))).toBe('invalid-utf8');
  });

  it('tryDecrypt returns results instead of throwing, and errors never include the input', () => {
    const cipher = new PhoneCipher(key);
    expect(cipher.tryDecrypt(KAT_BLOB)).toEqual({ ok: true, value: KAT_PLAIN });
    const failed = cipher.tryDecrypt(KAT_BLOB.replace('oKGi', 'oKGj'));
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error.message).not.toContain('oKG');
  });

  it('never throws anything but PhoneDecryptError on arbitrary input', () => {
    const cipher = new PhoneCipher(key);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.base64String({ maxLength: 80 })), (input) => {
        const result = cipher.tryDecrypt(input);
        if (!result.ok) expect(result.error).toBeInstanceOf(PhoneDecryptError);
      }),
    );
  });

  it('refuses keys that are not 32 bytes, without echoing them', () => {
    expect(() => new PhoneCipher(randomBytes(16))).toThrow(InvalidEncryptionKeyError);
    expect(() => new PhoneCipher('c2hvcnQ=')).toThrow('must be 32 bytes, got 5');
  });

  it('shows no key material when inspected', async () => {
    const { inspect } = await import('node:util');
    const shown = inspect(new PhoneCipher(key), { showHidden: true, depth: 5 });
    expect(shown).not.toContain(KAT_KEY_B64);
    expect(shown).not.toContain('0, 1, 2, 3');
  });
});

describe('resolvePhoneNumber', () => {
  const cipher = new PhoneCipher(key);

  it('passes plain E.164 through, with or without a cipher', () => {
    expect(resolvePhoneNumber('+15555550100', undefined)).toBe('+15555550100');
    expect(resolvePhoneNumber('+15555550100', cipher)).toBe('+15555550100');
  });

  it('decrypts an encrypted number', () => {
    expect(resolvePhoneNumber(KAT_BLOB, cipher)).toBe(KAT_PLAIN);
    expect(resolvePhoneNumber(cipher.encrypt('+34600111222'), cipher)).toBe('+34600111222');
  });

  it('decrypts an encrypted number whose base64 happens to start with "+"', () => {
    const nonce = Buffer.from('f8a1a2a3a4a5a6a7a8a9aaab', 'hex'); // first 6 bits 111110 → '+'
    const c = createCipheriv('aes-256-gcm', key, nonce);
    const ct = Buffer.concat([c.update('+15555550100', 'utf8'), c.final()]);
    const blob = Buffer.concat([nonce, c.getAuthTag(), ct]).toString('base64');
    expect(blob.startsWith('+')).toBe(true);
    expect(resolvePhoneNumber(blob, cipher)).toBe('+15555550100');
    expect(reasonOf(() => resolvePhoneNumber(blob, undefined))).toBe('no-key');
  });

  it('resolves every encrypted E.164 number, whatever its base64 starts with', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), (phone) => expect(resolvePhoneNumber(cipher.encrypt(phone), cipher)).toBe(phone)),
      { numRuns: 300 },
    );
  });

  it('needs a key for encrypted numbers', () => {
    expect(reasonOf(() => resolvePhoneNumber(KAT_BLOB, undefined))).toBe('no-key');
  });

  it('requires E.164 after decrypting', () => {
    for (const plain of ['15555550100', '+0123456789', '+12345', '+1234567890123456', 'hello', '']) {
      expect(reasonOf(() => resolvePhoneNumber(cipher.encrypt(plain), cipher))).toBe('not-e164');
    }
  });

  it('reports failures as results from tryResolvePhoneNumber', () => {
    const result = tryResolvePhoneNumber('not a phone!', cipher);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toBe('not-base64');
  });
});
