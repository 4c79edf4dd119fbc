import { jsonStringLikeCSharp as str } from '../csharp/csharp-writer.js';

const dictionary = (entries: Record<string, string>): string =>
  `{${Object.entries(entries)
    .map(([k, v]) => `${str(k)}:${str(v)}`)
    .join(',')}}`;

/**
 * A current-generation `notification.sendSms` value exactly as a C# producer writes it: `$type`
 * first, PascalCase, compact, strings escaped like JavaScriptEncoder.Default (`+` as `\u002B`).
 */
export function sendSmsJson(phoneNumber: string, resourceKey: string, locale: string, replacements: Record<string, string> = {}): string {
  return `{"$type":"notification.sendSms","PhoneNumber":${str(phoneNumber)},"ResourceKey":${str(resourceKey)},"Locale":${str(locale)},"Replacements":${dictionary(replacements)}}`;
}

/** The earlier generation's value: no phone number (it travels in the key, see `earlierSendSmsKey`). */
export function earlierSendSmsJson(resourceKey: string, locale: string, replacements: Record<string, string> = {}): string {
  return `{"$type":"notification.sendSms","ResourceKey":${str(resourceKey)},"Locale":${str(locale)},"Replacements":${dictionary(replacements)}}`;
}

/** The earlier generation's key: the recipient's phone number as `EventKey`. */
export const earlierSendSmsKey = (phoneNumber: string): string => `{"EventType":"SendSms","EventKey":${str(phoneNumber)}}`;

/** The key the C# producers use for SMS notifications. Being constant, it puts every SMS in one partition. */
export const SEND_SMS_KEY = '{"EventType":"SendSms"}';

/** The key with a recipient, as this project's broadcast fan-out writes it, spreading SMS over partitions. */
export const spreadKey = (recipient: string | number): string => `{"EventType":"SendSms","Recipient":"${recipient}"}`;

/** `+1555` followed by 7 digits: a distinct fictional number per index. */
export const phone = (index: number): string => `+1555${String(index).padStart(7, '0')}`;

export const TEST_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TEST_MESSAGING_SERVICE_SID = `MG${'fedcba9876543210'.repeat(2)}`;
export const TEST_AUTH_TOKEN = 'test-auth-token';

/** Waits until `condition()` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
