import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import { AnnouncementBroadcaster } from '../announcement/announcement-broadcaster.js';
import { AnnouncementDraftStore } from '../announcement/draft.store.js';
import { localeOf } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

const RESTORE_ATTEMPTS = 3;

/** Raised when a failed broadcast's draft could not be put back; the webhook answers 500. */
export class DraftRestoreError extends Error {
  constructor(cause: unknown) {
    super('announcement draft could not be restored after a failed broadcast', { cause });
    this.name = 'DraftRestoreError';
  }
}

/**
 * CONFIRM: for a client with an active subscription, takes the pending draft atomically and
 * broadcasts it in one Kafka transaction. On failure the transaction is aborted, the draft is
 * put back and the client gets MessageException with a reference that is also logged.
 */
@Injectable()
export class ConfirmHandler implements SmsCommandHandler {
  readonly command = 'confirm';
  private readonly logger = new Logger(ConfirmHandler.name);

  constructor(
    private readonly drafts: AnnouncementDraftStore,
    private readonly broadcaster: AnnouncementBroadcaster,
  ) {}

  async handle({ keyword, sender }: SmsCommandInput): Promise<SmsReply | undefined> {
    if (keyword !== 'CONFIRM') return undefined;
    const who = await sender();
    const locale = localeOf(who, 'client');
    if (!who.client) return textReply('NotCustomer', locale);
    if (!who.client.subscriptionActive) return textReply('SubscriptionNotActive', locale);
    const draft = await this.drafts.take(who.phoneNumber);
    if (draft === null) return textReply('NoPendingAnnouncement', locale);
    try {
      const { sent } = await this.broadcaster.broadcast(who.client, draft);
      return textReply('AnnouncementSent', locale, { count: String(sent) });
    } catch (err) {
      const reference = randomBytes(4).toString('hex');
      this.logger.error({ msg: 'announcement broadcast failed; draft put back', reference, clientId: who.client.id, err });
      await this.restore(who.phoneNumber, draft);
      return textReply('MessageException', locale, { error: `ref ${reference}` });
    }
  }

  private async restore(phoneNumber: string, draft: string): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= RESTORE_ATTEMPTS; attempt += 1) {
      try {
        await this.drafts.restore(phoneNumber, draft);
        return;
      } catch (err) {
        lastError = err;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    this.logger.error({ msg: 'announcement draft lost: Redis refused it back', from: maskPhoneNumber(phoneNumber), err: lastError });
    throw new DraftRestoreError(lastError);
  }
}
