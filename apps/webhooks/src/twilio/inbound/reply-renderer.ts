import { Inject, Injectable } from '@nestjs/common';
import { LOCALIZER, type Localizer } from '@app/shared/localization/localizer.js';
import type { LocalizedList, SmsReply } from '../commands/sms-command.js';
import { TWILIO_MAX_BODY_CHARS } from '../twilio.env.js';
import { twimlReply } from './twiml.js';

/** Localizes a command's reply and wraps it in TwiML. */
@Injectable()
export class ReplyRenderer {
  constructor(@Inject(LOCALIZER) private readonly localizer: Localizer) {}

  async toTwiml(reply: SmsReply): Promise<string> {
    if (reply.kind === 'silent') return twimlReply();
    const replacements: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.replacements ?? {})) {
      replacements[name] = typeof value === 'string' ? value : await this.renderList(value, reply.locale);
    }
    const text = await this.localizer.localize(reply.resourceKey, reply.locale, replacements);
    return twimlReply(fitSms(await this.withAddendum(text, reply)));
  }

  private async withAddendum(text: string, reply: Extract<SmsReply, { kind: 'text' }>): Promise<string> {
    const addendum = reply.addendum;
    if (!addendum || (addendum.unlessContains !== undefined && text.includes(addendum.unlessContains))) return text;
    return `${text}\n${await this.localizer.localize(addendum.resourceKey, reply.locale, addendum.replacements)}`;
  }

  private async renderList(list: LocalizedList, locale: string): Promise<string> {
    const lines = await Promise.all(list.entries.map((e) => this.localizer.localize(e.resourceKey, locale, e.replacements)));
    return lines.join('\n');
  }
}

/** Twilio refuses replies over 1600 characters; a longer one (a quoted long draft) is cut with an ellipsis. */
export function fitSms(text: string): string {
  const chars = [...text];
  return chars.length <= TWILIO_MAX_BODY_CHARS ? text : `${chars.slice(0, TWILIO_MAX_BODY_CHARS - 1).join('')}…`;
}
