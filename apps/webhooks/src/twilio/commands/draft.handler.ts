import { Injectable } from '@nestjs/common';
import { AnnouncementDraftStore } from '../announcement/draft.store.js';
import { localeOf } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';
import { subscriptionListReply } from './subscription-list.js';

/**
 * Any other text. A client with an active subscription: stored as the announcement draft
 * (replacing an earlier one) and quoted back with the CONFIRM prompt. A subscriber who is not a
 * client: their subscription list with the UNSUB numbers. Neither: NotCustomer.
 */
@Injectable()
export class DraftHandler implements SmsCommandHandler {
  readonly command = 'draft';
  constructor(private readonly drafts: AnnouncementDraftStore) {}

  async handle({ text, sender }: SmsCommandInput): Promise<SmsReply> {
    const who = await sender();
    if (who.client) {
      const locale = localeOf(who, 'client');
      if (!who.client.subscriptionActive) return textReply('SubscriptionNotActive', locale);
      await this.drafts.save(who.phoneNumber, text);
      return textReply('AnnouncementConfirm', locale, { smsBody: text });
    }
    if (who.subscriber) return subscriptionListReply(who.subscriber, localeOf(who, 'subscriber'));
    return textReply('NotCustomer', localeOf(who));
  }
}
