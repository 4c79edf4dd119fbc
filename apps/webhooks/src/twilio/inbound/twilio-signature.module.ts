import { Module } from '@nestjs/common';
import { TwilioSignatureVerifier } from './twilio-signature.js';

/** The X-Twilio-Signature check both Twilio endpoints share (inbound SMS, status callbacks). */
@Module({
  providers: [TwilioSignatureVerifier],
  exports: [TwilioSignatureVerifier],
})
export class TwilioSignatureModule {}
