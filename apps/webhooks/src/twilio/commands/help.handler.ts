import { Inject, Injectable } from '@nestjs/common';
import { twilioWebhookConfig, type TwilioWebhookConfig } from '../twilio.env.js';
import { KeywordMatcher } from './keywords.js';
import { localeOf } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

/** Nudges' own help command, besides Twilio's help keywords. */
const COMMANDS = 'COMMANDS';

/**
 * HELP, INFO (Twilio's help keywords) and COMMANDS: the client help with links, the subscriber
 * help, or, for anyone else, a short help naming the service and how to opt out.
 */
@Injectable()
export class HelpHandler implements SmsCommandHandler {
  readonly command = 'help';
  constructor(
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
    private readonly keywords: KeywordMatcher,
  ) {}

  async handle({ keyword, sms, sender }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (keyword !== COMMANDS && this.keywords.kindOf(keyword, sms.optOutType) !== 'help') return undefined;
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
    return textReply('ServiceHelpMessage', localeOf(who));
  }
}

/** `<ClientLinkBaseUri>/<slug>`. */
export const clientLink = (base: string, slug: string): string => `${base}/${encodeURIComponent(slug)}`;
