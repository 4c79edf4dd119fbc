import type { SenderClient, SenderSubscriber } from '../subscriber-gateway.client.js';

export const DEFAULT_LOCALE = 'en-US';

/** Who is texting: a client, a subscriber, both, or neither (both undefined). */
export interface Sender {
  phoneNumber: string;
  client?: SenderClient;
  subscriber?: SenderSubscriber;
}

/** The locale of a reply about `role`; the other role's locale, then en-US, when that one has none. */
export function localeOf(sender: Sender, role: 'client' | 'subscriber' = 'client'): string {
  const [first, second] = role === 'client' ? [sender.client, sender.subscriber] : [sender.subscriber, sender.client];
  return first?.locale || second?.locale || DEFAULT_LOCALE;
}
