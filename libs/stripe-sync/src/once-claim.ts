import type { Redis } from 'ioredis';
import { RedisLease, type LeaseFormat } from '@app/shared/redis/redis-lease.js';

/**
 * A delivery that claimed an event or a session holds a lease this long. It is longer than any
 * request can take (every remote call has a timeout of a few seconds), and it ends by itself if
 * the process dies, so Stripe's next retry is processed.
 */
export const PROCESSING_LEASE_MS = 120_000;

/** The claim of one Stripe fact (an event, a checkout session): yours to apply, already applied (`Done`), or being applied elsewhere. */
export type OnceClaim<Done extends string> =
  { status: 'claimed'; complete(): Promise<void>; release(): Promise<void> } | { status: Done } | { status: 'in-flight' };

/** What one kind of fact is stored as: its lease values, its key, how long "done" is remembered, and what a repeat is called. */
export interface OnceClaimKind<Done extends string> {
  format: LeaseFormat;
  keyOf(id: string): string;
  doneTtlMs: number;
  done: Done;
}

/** Facts of one kind, each applied at most once: claimed for PROCESSING_LEASE_MS, remembered for `doneTtlMs` once done. */
export abstract class OnceClaims<Done extends string> {
  protected readonly leases: RedisLease;

  protected constructor(
    redis: Redis,
    private readonly kind: OnceClaimKind<Done>,
  ) {
    this.leases = new RedisLease(redis, kind.format);
  }

  /** A released claim frees the fact at once, so the next delivery applies it. */
  async claim(id: string): Promise<OnceClaim<Done>> {
    const claim = await this.leases.claim(this.kind.keyOf(id), PROCESSING_LEASE_MS);
    if (claim.state === 'done') return { status: this.kind.done };
    if (claim.state === 'held') return { status: 'in-flight' };
    const { lease } = claim;
    return {
      status: 'claimed',
      complete: () => lease.complete(this.kind.doneTtlMs),
      release: async () => void (await lease.release()),
    };
  }
}
