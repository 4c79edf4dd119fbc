import type { DecodeInput } from './decode-result.js';
import { decodeEventKey } from './keys.js';
import {
  CLIENT_EVENT_TYPES,
  CLIENT_NOTIFICATION_TYPES,
  SEND_SMS_TYPE,
  type NotificationEvent,
  type SendSmsNotification,
} from './messages.js';

const NOT_FOR_SMS: ReadonlySet<string> = new Set([...CLIENT_NOTIFICATION_TYPES, ...CLIENT_EVENT_TYPES]);

export const isSendSms = (event: NotificationEvent): event is SendSmsNotification => event.$type === SEND_SMS_TYPE;

/** Expected traffic on the notifications topic that is not an SMS (client events, client notifications). */
export const isNotAnSms = (event: NotificationEvent): boolean => NOT_FOR_SMS.has(event.$type);

/**
 * The recipient of a SendSms: the value's `PhoneNumber` (current generation), else the key's
 * `EventKey` (earlier generation, `{"EventType":"SendSms","EventKey":"<phone>"}`). Plain or
 * encrypted; `null` when neither names one.
 */
export function sendSmsRecipient(sms: SendSmsNotification, key: DecodeInput): string | null {
  if (sms.phoneNumber) return sms.phoneNumber;
  const decodedKey = decodeEventKey(key);
  if (!decodedKey.ok || decodedKey.value.eventType !== 'SendSms') return null;
  return decodedKey.value.eventKey || null;
}
