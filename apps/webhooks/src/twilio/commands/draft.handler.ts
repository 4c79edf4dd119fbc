import { Inject, Injectable } from '@nestjs/common';
import { AnnouncementSizer } from '../announcement/announcement-size.js';
import { AnnouncementDraftStore } from '../announcement/draft.store.js';
import { TWILIO_MAX_BODY_CHARS, twilioWebhookConfig, type TwilioWebhookConfig } from '../twilio.env.js';
import { clientLink } from './help.handler.js';
import { localeOf } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';
import { subscriptionListReply } from './subscription-list.js';

/**
 * Any other text. A client with an active subscription: stored as the announcement draft
 * (replacing an earlier one) and quoted back with the CONFIRM prompt and the number of SMS
 * segments each subscriber will receive; an announcement that, rendered with the client's name
 * and link, exceeds Twilio's 1,600 characters is refused instead (it would fail with 21617 for
 * every subscriber). A subscriber who is not a client: their subscription list with the UNSUB
 * numbers. Neither: NotCustomer.
 */
@Injectable()
export class DraftHandler implements SmsCommandHandler {
  readonly command = 'draft';
  constructor(
    private readonly drafts: AnnouncementDraftStore,
    private readonly sizer: AnnouncementSizer,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
  ) {}

  async handle({ text, sender }: SmsCommandInput): Promise<SmsReply> {
    const who = await sender();
    if (who.client) {
      const locale = localeOf(who, 'client');
      if (!who.client.subscriptionActive) return textReply('SubscriptionNotActive', locale);
      const size = await this.sizer.measure(who.client.name, clientLink(this.config.clientLinkBaseUri, who.client.slug), text);
      if (size.length > TWILIO_MAX_BODY_CHARS)
        return textReply('AnnouncementTooLong', locale, { length: String(size.length), limit: String(TWILIO_MAX_BODY_CHARS) });
      await this.drafts.save(who.phoneNumber, text);
      const segments = { resourceKey: 'AnnouncementSegments' as const, replacements: { segments: String(size.segments) } };
      return textReply('AnnouncementConfirm', locale, { smsBody: text }, segments);
    }
    if (who.subscriber) return subscriptionListReply(who.subscriber, localeOf(who, 'subscriber'));
    return textReply('NotCustomer', localeOf(who));
  }
}
