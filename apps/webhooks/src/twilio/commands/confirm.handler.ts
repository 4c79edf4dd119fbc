import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BroadcastReport, type ReplyDecision } from '@app/shared/broadcast/broadcast-report.js';
import { BroadcastRequests, type ClaimedDraft } from '../announcement/broadcast-requests.js';
import { twilioWebhookConfig, type TwilioWebhookConfig } from '../twilio.env.js';
import { clientLink } from './help.handler.js';
import { localeOf, type Sender } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

/**
 * CONFIRM: for a client with an active subscription, takes the pending draft (once per
 * MessageSid, whatever Twilio's retries), records the broadcast on the broadcasts topic and waits
 * for the broadcaster's fan-out up to BROADCAST_REPLY_WITHIN_MS. A broadcast that finished by
 * then is answered with its true count; a longer one with "sending", and the count follows by
 * SMS (BroadcastReport makes sure the client hears it exactly once). A broadcast that cannot be
 * recorded puts the draft back and answers MessageException with a reference that is also logged.
 */
@Injectable()
export class ConfirmHandler implements SmsCommandHandler {
  readonly command = 'confirm';
  private readonly logger = new Logger(ConfirmHandler.name);

  constructor(
    private readonly requests: BroadcastRequests,
    private readonly report: BroadcastReport,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
  ) {}

  async handle({ keyword, sender, sms }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (keyword !== 'CONFIRM') return undefined;
    const started = Date.now();
    const who = await sender();
    const locale = localeOf(who, 'client');
    if (!who.client) return textReply('NotCustomer', locale);
    if (!who.client.subscriptionActive) return textReply('SubscriptionNotActive', locale);
    const draft = await this.requests.claim(who.phoneNumber, sms.messageSid);
    if (draft === null) return textReply('NoPendingAnnouncement', locale);
    await this.report.open(draft.broadcastId);
    try {
      await this.requests.record(this.broadcastingClient(who, locale), draft);
    } catch (err) {
      return this.notRecorded(who, sms.messageSid, draft, locale, err);
    }
    const decision = await this.report.awaitReply(draft.broadcastId, this.config.replyWithinMs - (Date.now() - started));
    return replyFor(decision, locale);
  }

  private broadcastingClient(who: Sender, locale: string) {
    const client = who.client!;
    return {
      id: client.id,
      name: client.name,
      locale,
      link: clientLink(this.config.clientLinkBaseUri, client.slug),
      phoneNumber: who.phoneNumber,
    };
  }

  /** Kafka did not take the request: nothing was broadcast, the draft goes back (a Redis failure here answers 500, and Twilio's retry finds the claim). */
  private async notRecorded(
    who: Sender,
    messageSid: string | undefined,
    draft: ClaimedDraft,
    locale: string,
    err: unknown,
  ): Promise<SmsReply> {
    const reference = randomBytes(4).toString('hex');
    this.logger.error({ msg: 'broadcast could not be recorded; draft put back', reference, clientId: who.client!.id, err });
    await this.report.handOverToSms(draft.broadcastId);
    await this.requests.giveBack(who.phoneNumber, messageSid, draft);
    return textReply('MessageException', locale, { error: `ref ${reference}` });
  }
}

function replyFor(decision: ReplyDecision, locale: string): SmsReply {
  switch (decision.kind) {
    case 'sent':
      return textReply('AnnouncementSent', locale, { count: String(decision.count) });
    case 'failed':
      return decision.sent === 0
        ? textReply('AnnouncementFailed', locale)
        : textReply('AnnouncementInterrupted', locale, { count: String(decision.sent) });
    case 'pending':
      return textReply('AnnouncementSending', locale);
  }
}
