import type { SenderSubscriber } from '../subscriber-gateway.client.js';
import { textReply, type SmsReply } from './sms-command.js';

/** The subscriber's clients, numbered from 1 in the order UNSUB <n> uses; NotSubscriber when none. */
export function subscriptionListReply(subscriber: SenderSubscriber | undefined, locale: string): SmsReply {
  if (!subscriber || subscriber.clients.length === 0) return textReply('NotSubscriber', locale);
  return textReply('UnsubscribeListTemplate', locale, {
    list: {
      entries: subscriber.clients.map((client, i) => ({
        resourceKey: 'UnsubscribeListEntry',
        replacements: { index: String(i + 1), clientName: client.name },
      })),
    },
  });
}
