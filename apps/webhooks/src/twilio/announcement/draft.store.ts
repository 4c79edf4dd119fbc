import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { draftKey, pendingBroadcastKey } from '@app/shared/broadcast/broadcast-keys.js';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import { twilioWebhookConfig } from '../twilio.env.js';

/**
 * Announcement drafts in Redis, one per client phone, expiring after ANNOUNCEMENT_DRAFT_TTL
 * (CONFIRM takes them through BroadcastRequests).
 * Redis errors propagate (the webhook answers 500 and nothing is half-done).
 */
@Injectable()
export class AnnouncementDraftStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
  ) {}

  /** Stores `text` as the draft, replacing any earlier one (and the broadcast id it kept), with a fresh TTL. */
  async save(phoneNumber: string, text: string): Promise<void> {
    await this.redis.multi().set(draftKey(phoneNumber), text, 'PX', this.config.draftTtlMs).del(pendingBroadcastKey(phoneNumber)).exec();
  }
}
