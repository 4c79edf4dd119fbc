import { Inject, Injectable } from '@nestjs/common';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import { localeOf } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';
import { twilioWebhookConfig } from '../twilio.env.js';

const HELP_KEYWORDS = new Set(['COMMANDS', 'HELP']);

/** COMMANDS / HELP: the client help with links, the subscriber help, or NotCustomer. */
@Injectable()
export class HelpHandler implements SmsCommandHandler {
  readonly command = 'help';
  constructor(@Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig) {}

  async handle({ keyword, sender }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (!HELP_KEYWORDS.has(keyword)) return undefined;
    const who = await sender();
    if (who.client) {
      const links = {
        accountUrl: this.config.accountUrl,
        subUrl: this.config.stripePortalUrl,
        shareUrl: clientLink(this.config.clientLinkBaseUri, who.client.slug),
      };
      // The LocalizationApi's ClientHelpMessage lists the links itself; the documented text does not,
      // so they are added when the rendered help lacks them.
      const addendum = { resourceKey: 'ClientHelpLinks' as const, replacements: links, unlessContains: links.shareUrl };
      return textReply('ClientHelpMessage', localeOf(who, 'client'), links, addendum);
    }
    if (who.subscriber) return textReply('SubscriberHelpMessage', localeOf(who, 'subscriber'));
    return textReply('NotCustomer', localeOf(who));
  }
}

/** `<ClientLinkBaseUri>/<slug>`. */
export const clientLink = (base: string, slug: string): string => `${base}/${encodeURIComponent(slug)}`;
