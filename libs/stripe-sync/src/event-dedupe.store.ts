import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { OnceClaims, type OnceClaim } from './once-claim.js';
import { stripeConfig, type StripeConfig } from './stripe.env.js';

export type ClaimResult = OnceClaim<'duplicate'>;

export const eventKey = (eventId: string) => `stripe:event:${eventId}`;

/**
 * Remembers which Stripe events were processed (Redis, `STRIPE_EVENT_DEDUPE_TTL`, at least 4 days,
 * longer than Stripe's 3 days of retries). Of concurrent deliveries of one event exactly one claims
 * it; a transient failure releases the claim so the next delivery can proceed.
 */
@Injectable()
export class EventDedupeStore extends OnceClaims<'duplicate'> {
  constructor(@Inject(REDIS) redis: Redis, @Inject(stripeConfig.KEY) config: StripeConfig) {
    const format = { held: 'processing:', done: 'done' };
    super(redis, { format, keyOf: eventKey, doneTtlMs: config.dedupeTtlSeconds * 1000, done: 'duplicate' });
  }

  /** Whether the event is recorded as processed (for diagnostics and tests). */
  async isDone(eventId: string): Promise<boolean> {
    const [status] = await this.leases.read([eventKey(eventId)]);
    return status!.state === 'done';
  }

  /** Drops the "processed" mark (never a claim in progress), so the event runs again. */
  forget(eventId: string): Promise<boolean> {
    return this.leases.forget(eventKey(eventId));
  }
}
