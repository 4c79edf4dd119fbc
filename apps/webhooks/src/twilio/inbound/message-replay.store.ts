import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { TWILIO_CONFIG, type TwilioWebhookConfig } from '../twilio.env.js';

const PENDING = 'pending';
const DONE = 'done:';
/** Longest a request may hold a MessageSid before another request may process it (a crash leaves the claim). */
const CLAIM_MS = 120_000;
const POLL_MS = 50;

export const replayKey = (messageSid: string): string => `twilio:sms:${messageSid}`;

export type ReplayClaim = { kind: 'claimed' } | { kind: 'replay'; twiml: string } | { kind: 'busy' };

/**
 * Remembers the reply to each MessageSid (Twilio retries a webhook with the same MessageSid), so a
 * retry gets the first reply without being processed again. A retry that arrives while the first
 * request is still working waits for its reply, up to `waitMs`.
 */
@Injectable()
export class MessageReplayStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TWILIO_CONFIG) private readonly config: TwilioWebhookConfig,
  ) {}

  async claim(messageSid: string, waitMs = 10_000): Promise<ReplayClaim> {
    const key = replayKey(messageSid);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if ((await this.redis.set(key, PENDING, 'PX', CLAIM_MS, 'NX')) === 'OK') return { kind: 'claimed' };
      const stored = await this.redis.get(key);
      if (stored?.startsWith(DONE)) return { kind: 'replay', twiml: stored.slice(DONE.length) };
      if (Date.now() >= deadline) return { kind: 'busy' };
      // stored === null: the claim was released or expired in between; try to claim again at once.
      if (stored !== null) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Stores the reply of a processed message for TWILIO_REPLAY_TTL. */
  async complete(messageSid: string, twiml: string): Promise<void> {
    await this.redis.set(replayKey(messageSid), DONE + twiml, 'PX', this.config.replayTtlMs);
  }

  /** Gives the MessageSid up after a failure (answered 500), so a retry is processed afresh. */
  async release(messageSid: string): Promise<void> {
    await this.redis.del(replayKey(messageSid));
  }
}
