import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { RedisLease } from '@app/shared/redis/redis-lease.js';

import { claimOnce, type OnceClaim } from './once-claim.js';
import type { StripeConfig } from './stripe.env.js';
import { stripeConfig } from './stripe.env.js';

export type SessionClaim = OnceClaim<'recorded'>;

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

  claim(sessionId: string): Promise<SessionClaim> {
    return claimOnce(this.leases, sessionKey(sessionId), this.config.dedupeTtlSeconds * 1000, 'recorded');
  }
}

export const sessionKey = (sessionId: string) => `stripe:checkout:${sessionId}`;
