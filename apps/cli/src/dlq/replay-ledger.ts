import type { Redis } from 'ioredis';
import { RedisLease, type LeaseState } from '@app/shared/redis/redis-lease.js';

/** What a replay did, as remembered under `dlq:replayed:<dead-letter id>`. */
export type ReplayRecord =
  | { target: 'kafka'; replayedAt: string; forced: boolean; topic: string; partition: number; offset: string }
  | { target: 'stripe'; replayedAt: string; forced: boolean; stripeEventId: string; outcome: string };

export type ReplayStatus = { state: 'none' } | { state: 'in-progress' } | { state: 'replayed'; record: ReplayRecord };

/** A replay in progress holds its claim this long; if the CLI dies meanwhile, the claim expires. */
export const REPLAY_CLAIM_SECONDS = 300;

export const replayKey = (deadLetterId: string) => `dlq:replayed:${deadLetterId}`;

export interface ReplayClaim {
  complete(record: ReplayRecord): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * Which dead letters were replayed, in Redis (with `REDIS_KEY_PREFIX`), kept for
 * `DLQ_REPLAY_RECORD_TTL`. A replay first claims the id, so two operators replaying the same dead
 * letter at once publish it once; `--force` takes the claim regardless.
 */
export class ReplayLedger {
  // Held: `replaying|<owner>|<claimed at>`; done: the JSON replay record.
  private readonly leases: RedisLease;

  constructor(
    redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    this.leases = new RedisLease(redis, { held: 'replaying|', done: '' });
  }

  async statuses(ids: string[]): Promise<Map<string, ReplayStatus>> {
    const states = await this.leases.read(ids.map(replayKey));
    return new Map(ids.map((id, i) => [id, statusOf(states[i]!)]));
  }

  /** The claim, or null when the id is replayed or being replayed and `force` is off. */
  async claim(id: string, force: boolean): Promise<ReplayClaim | null> {
    const claim = await this.leases.claim(replayKey(id), REPLAY_CLAIM_SECONDS * 1000, { force, detail: new Date().toISOString() });
    if (claim.state !== 'claimed') return null;
    return {
      complete: (record) => claim.lease.complete(this.ttlSeconds * 1000, JSON.stringify(record)),
      abandon: async () => void (await claim.lease.release()),
    };
  }
}

function statusOf(lease: LeaseState): ReplayStatus {
  if (lease.state === 'free') return { state: 'none' };
  if (lease.state === 'held') return { state: 'in-progress' };
  try {
    return { state: 'replayed', record: JSON.parse(lease.value) as ReplayRecord };
  } catch {
    return { state: 'in-progress' };
  }
}
