import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import { twilioWebhookConfig } from '../twilio.env.js';

/** Redis key of a client's pending announcement (under the app's REDIS_KEY_PREFIX). */
export const draftKey = (phoneNumber: string): string => `announcement:${phoneNumber}`;

/**
 * Announcement drafts in Redis, one per client phone, expiring after ANNOUNCEMENT_DRAFT_TTL.
 * Redis errors propagate (the webhook answers 500 and nothing is half-done).
 */
@Injectable()
export class AnnouncementDraftStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
  ) {}

  /** Stores `text` as the draft, replacing any earlier one, with a fresh TTL. */
  async save(phoneNumber: string, text: string): Promise<void> {
    await this.redis.set(draftKey(phoneNumber), text, 'PX', this.config.draftTtlMs);
  }

  /** Removes and returns the draft in one step (GETDEL), so two racing CONFIRMs cannot both get it. */
  async take(phoneNumber: string): Promise<string | null> {
    return this.redis.getdel(draftKey(phoneNumber));
  }

  /**
   * Puts a taken draft back after a failed broadcast, with a fresh TTL, unless the client has
   * texted a newer draft meanwhile (NX), which then wins.
   */
  async restore(phoneNumber: string, text: string): Promise<void> {
    await this.redis.set(draftKey(phoneNumber), text, 'PX', this.config.draftTtlMs, 'NX');
  }

  async peek(phoneNumber: string): Promise<string | null> {
    return this.redis.get(draftKey(phoneNumber));
  }
}
