import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { RedisLease, type Lease } from '@app/shared/redis/redis-lease.js';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import { twilioWebhookConfig } from '../twilio.env.js';

/** Longest a request may hold a MessageSid before another request may process it (a crash leaves the claim). */
const CLAIM_MS = 120_000;
const POLL_MS = 50;

export const replayKey = (messageSid: string): string => `twilio:sms:${messageSid}`;

export type ReplayClaim = { kind: 'claimed'; lease: Lease } | { kind: 'replay'; twiml: string } | { kind: 'busy' };

/**
 * Remembers the reply to each MessageSid (Twilio retries a webhook with the same MessageSid), so a
 * retry gets the first reply without being processed again. A retry that arrives while the first
 * request is still working waits for its reply, up to `waitMs`.
 */
@Injectable()
export class MessageReplayStore {
  // `pending` alone is what earlier versions wrote; it still reads as held.
  private readonly leases: RedisLease;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
  ) {
    this.leases = new RedisLease(redis, { held: 'pending:', done: 'done:' });
  }

  async claim(messageSid: string, waitMs = 10_000): Promise<ReplayClaim> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claim = await this.leases.claim(replayKey(messageSid), CLAIM_MS);
      if (claim.state === 'claimed') return { kind: 'claimed', lease: claim.lease };
      if (claim.state === 'done') return { kind: 'replay', twiml: claim.value };
      if (Date.now() >= deadline) return { kind: 'busy' };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Stores the reply of a processed message for TWILIO_REPLAY_TTL. */
  complete(lease: Lease, twiml: string): Promise<void> {
    return lease.complete(this.config.replayTtlMs, twiml);
  }

  /** Gives the MessageSid up after a failure (answered 500), so a retry is processed afresh; only while the claim is ours. */
  async release(lease: Lease): Promise<void> {
    await lease.release();
  }
}
