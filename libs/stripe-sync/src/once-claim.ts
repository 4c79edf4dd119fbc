import type { RedisLease } from '@app/shared/redis/redis-lease.js';

/**
 * A delivery that claimed an event or a session holds a lease this long. It is longer than any
 * request can take (every remote call has a timeout of a few seconds), and it ends by itself if
 * the process dies, so Stripe's next retry is processed.
 */
export const PROCESSING_LEASE_MS = 120_000;

/** The claim of one Stripe fact (an event, a checkout session): yours to apply, already applied (`Done`), or being applied elsewhere. */
export type OnceClaim<Done extends string> =
  { status: 'claimed'; complete(): Promise<void>; release(): Promise<void> } | { status: Done } | { status: 'in-flight' };

/** Claims `key` for PROCESSING_LEASE_MS; a completed claim is remembered for `doneTtlMs`, a released one frees the key at once. */
export async function claimOnce<Done extends string>(
  leases: RedisLease,
  key: string,
  doneTtlMs: number,
  done: Done,
): Promise<OnceClaim<Done>> {
  const claim = await leases.claim(key, PROCESSING_LEASE_MS);
  if (claim.state === 'done') return { status: done };
  if (claim.state === 'held') return { status: 'in-flight' };
  const { lease } = claim;
  return {
    status: 'claimed',
    complete: () => lease.complete(doneTtlMs),
    release: async () => void (await lease.release()),
  };
}
