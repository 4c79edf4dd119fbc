import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigValidationError, parseEnv } from './env.js';
import { encryptionConfigFrom, encryptionEnv } from './encryption.env.js';

const schema = z.object(encryptionEnv);
const key = randomBytes(32);

describe('EncryptionSettings__Key', () => {
  it('is optional (blank counts as unset)', () => {
    expect(encryptionConfigFrom(parseEnv(schema, {}))).toEqual({});
    expect(encryptionConfigFrom(parseEnv(schema, { EncryptionSettings__Key: '  ' }))).toEqual({});
  });

  it('yields the 32 key bytes', () => {
    const config = encryptionConfigFrom(parseEnv(schema, { EncryptionSettings__Key: key.toString('base64') }));
    expect(config.key?.equals(key)).toBe(true);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['not base64', 'this is not a key at all, not even close!!!'],
    ['base64url', key.toString('base64url')],
  ])('rejects %s without echoing the value', (_name, value) => {
    let error: unknown;
    try {
      parseEnv(schema, { EncryptionSettings__Key: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems;
    expect(problems).toEqual(['EncryptionSettings__Key: must be the base64 of exactly 32 bytes']);
    expect(problems.join()).not.toContain(value);
  });

  it('is marked sensitive', () => {
    expect(encryptionEnv.EncryptionSettings__Key.meta()).toMatchObject({ sensitive: true });
  });
});
