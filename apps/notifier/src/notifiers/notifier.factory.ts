import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { NotifierKind, TwilioConfig } from '../config/notifier.config.js';
import { LocalNotifier } from './local.notifier.js';
import { SMS_NOTIFIER, type SmsNotifier } from './sms-notifier.js';
import { TwilioNotifier } from './twilio.notifier.js';

/** The notifier chosen by NOTIFIER (the config schema guarantees Twilio settings for `twilio`). */
export function createSmsNotifier(kind: NotifierKind, twilio: TwilioConfig | undefined): SmsNotifier {
  const logger = new Logger('SmsNotifier');
  if (kind === 'local') {
    logger.log('NOTIFIER=local: SMS are written to the log, not sent');
    return new LocalNotifier();
  }
  if (!twilio) throw new Error('NOTIFIER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_MESSAGE_SERVICE_SID');
  logger.log({ msg: 'NOTIFIER=twilio: sending through the Twilio Messaging Service', apiUrl: twilio.apiUrl ?? 'https://api.twilio.com' });
  return new TwilioNotifier(twilio);
}

@Injectable()
export class SmsNotifierShutdown implements OnApplicationShutdown {
  constructor(@Inject(SMS_NOTIFIER) private readonly notifier: SmsNotifier) {}

  onApplicationShutdown(): void {
    this.notifier.close?.();
  }
}
