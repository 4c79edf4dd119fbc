import { optionalString } from './env.js';
import { configNamespace } from './app-config.module.js';

const KEY_BYTES = 32;

/** Canonical standard base64 of exactly 32 bytes (as `Convert.ToBase64String` writes it). */
function isBase64Key(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === KEY_BYTES && bytes.toString('base64') === value;
}

export const encryptionEnv = {
  EncryptionSettings__Key: optionalString()
    .refine((v) => v === undefined || isBase64Key(v.trim()), `must be the base64 of exactly ${KEY_BYTES} bytes`)
    .meta({
      description:
        'AES-256-GCM key (base64 of 32 bytes) for encrypted phone numbers in events; unset: only plain E.164 numbers are accepted',
      sensitive: true,
    }),
};

export interface EncryptionConfig {
  key?: Buffer;
}

export function encryptionConfigFrom(e: { EncryptionSettings__Key?: string | undefined }): EncryptionConfig {
  const value = e.EncryptionSettings__Key?.trim();
  return value ? { key: Buffer.from(value, 'base64') } : {};
}

export const encryptionConfig = configNamespace<EncryptionConfig>('encryption');
