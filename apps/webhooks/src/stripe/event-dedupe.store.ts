import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { STRIPE_CONFIG } from './stripe-api.client.js';
import type { StripeConfig } from './stripe.env.js';

/**
 * A delivery that claimed an event holds a lease this long. It is longer than any request can take
 * (every remote call has a timeout of a few seconds), and it ends by itself if the process dies, so
 * Stripe's next retry is processed.
 */
export const PROCESSING_LEASE_MS = 120_000;

const DONE = 'done';

// One round trip: claim when unknown; otherwise say whether it is done or still being processed.
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if v == '${DONE}' then return 'duplicate' end
return 'in-flight'`;

// Deletes the lease only if it is still ours (it may have expired and been claimed again).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export type ClaimResult =
  | { status: 'claimed'; complete(): Promise<void>; release(): Promise<void> }
  | { status: 'duplicate' }
  | { status: 'in-flight' };

/**
 * Remembers which Stripe events were processed (Redis, `STRIPE_EVENT_DEDUPE_TTL`, at least 4 days,
 * longer than Stripe's 3 days of retries). Of concurrent deliveries of one event exactly one claims
 * it; a transient failure releases the claim so the next delivery can proceed.
 */
@Injectable()
export class EventDedupeStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(STRIPE_CONFIG) private readonly config: StripeConfig,
  ) {}

  async claim(eventId: string): Promise<ClaimResult> {
    const key = eventKey(eventId);
    const lease = `processing:${randomUUID()}`;
    const status = (await this.redis.eval(CLAIM, 1, key, lease, PROCESSING_LEASE_MS)) as ClaimResult['status'];
    if (status !== 'claimed') return { status };
    return {
      status,
      complete: async () => {
        await this.redis.set(key, DONE, 'EX', this.config.dedupeTtlSeconds);
      },
      release: async () => {
        await this.redis.eval(RELEASE, 1, key, lease);
      },
    };
  }

  /** Whether the event is recorded as processed (for diagnostics and tests). */
  async isDone(eventId: string): Promise<boolean> {
    return (await this.redis.get(eventKey(eventId))) === DONE;
  }
}

export const eventKey = (eventId: string) => `stripe:event:${eventId}`;
