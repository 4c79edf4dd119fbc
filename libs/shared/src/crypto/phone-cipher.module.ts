import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { encryptionConfig } from '../config/encryption.env.js';
import { PhoneCipher } from './phone-cipher.js';

/** The app's PhoneCipher (EncryptionSettings__Key); undefined when no key is set. */
export const PHONE_CIPHER = Symbol('PHONE_CIPHER');

@Module({
  providers: [
    {
      provide: PHONE_CIPHER,
      inject: [encryptionConfig.KEY],
      useFactory: ({ key }: ConfigType<typeof encryptionConfig>) => (key ? new PhoneCipher(key) : undefined),
    },
  ],
  exports: [PHONE_CIPHER],
})
export class PhoneCipherModule {}
