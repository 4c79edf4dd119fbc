import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { OnceClaims, type OnceClaim } from './once-claim.js';
import { stripeConfig, type StripeConfig } from './stripe.env.js';

export type SessionClaim = OnceClaim<'recorded'>;

export const sessionKey = (sessionId: string) => `stripe:checkout:${sessionId}`;

/**
 * Which checkout sessions were recorded, whichever of their events did it (a paid
 * `checkout.session.completed`, or `checkout.session.async_payment_succeeded` after an unpaid one).
 * Event ids differ between those events, so the event dedupe cannot tell; this keeps one record per
 * session, so no two events of a session record it twice or at the same time. Remembered as long as
 * processed event ids (`STRIPE_EVENT_DEDUPE_TTL`); after that the gateway look-ups by invoice id
 * still keep the payment and the subscription single.
 */
@Injectable()
export class CheckoutSessionStore extends OnceClaims<'recorded'> {
  constructor(@Inject(REDIS) redis: Redis, @Inject(stripeConfig.KEY) config: StripeConfig) {
    const format = { held: 'recording:', done: 'recorded' };
    super(redis, { format, keyOf: sessionKey, doneTtlMs: config.dedupeTtlSeconds * 1000, done: 'recorded' });
  }
}
