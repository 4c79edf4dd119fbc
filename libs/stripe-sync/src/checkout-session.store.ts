import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { RedisLease } from '@app/shared/redis/redis-lease.js';

import { PROCESSING_LEASE_MS } from './event-dedupe.store.js';
import type { StripeConfig } from './stripe.env.js';
import { stripeConfig } from './stripe.env.js';

export type SessionClaim =
  { status: 'claimed'; complete(): Promise<void>; release(): Promise<void> } | { status: 'recorded' } | { status: 'in-flight' };

/**
 * Which checkout sessions were recorded, whichever of their events did it (a paid
 * `checkout.session.completed`, or `checkout.session.async_payment_succeeded` after an unpaid one).
 * Event ids differ between those events, so the event dedupe cannot tell; this keeps one record per
 * session, so no two events of a session record it twice or at the same time. Remembered as long as
 * processed event ids (`STRIPE_EVENT_DEDUPE_TTL`); after that the gateway look-ups by invoice id
 * still keep the payment and the subscription single.
 */
@Injectable()
export class CheckoutSessionStore {
  private readonly leases: RedisLease;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
  ) {
    this.leases = new RedisLease(redis, { held: 'recording:', done: 'recorded' });
  }

  async claim(sessionId: string): Promise<SessionClaim> {
    const claim = await this.leases.claim(sessionKey(sessionId), PROCESSING_LEASE_MS);
    if (claim.state === 'done') return { status: 'recorded' };
    if (claim.state === 'held') return { status: 'in-flight' };
    const { lease } = claim;
    return {
      status: 'claimed',
      complete: () => lease.complete(this.config.dedupeTtlSeconds * 1000),
      release: async () => void (await lease.release()),
    };
  }
}

export const sessionKey = (sessionId: string) => `stripe:checkout:${sessionId}`;
