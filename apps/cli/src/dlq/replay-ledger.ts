import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What a replay did, as remembered under `dlq:replayed:<dead-letter id>`. */
export type ReplayRecord =
  | { target: 'kafka'; replayedAt: string; forced: boolean; topic: string; partition: number; offset: string }
  | { target: 'stripe'; replayedAt: string; forced: boolean; stripeEventId: string; outcome: string };

export type ReplayStatus = { state: 'none' } | { state: 'in-progress' } | { state: 'replayed'; record: ReplayRecord };

/** A replay in progress holds its claim this long; if the CLI dies meanwhile, the claim expires. */
export const REPLAY_CLAIM_SECONDS = 300;

const IN_PROGRESS = 'replaying|';

export const replayKey = (deadLetterId: string) => `dlq:replayed:${deadLetterId}`;

// Deletes the claim only if it is still ours.
const ABANDON = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface ReplayClaim {
  complete(record: ReplayRecord): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * Which dead letters were replayed, in Redis (with `REDIS_KEY_PREFIX`), kept for
 * `DLQ_REPLAY_RECORD_TTL`. A replay first claims the id (`SET NX`), so two operators replaying the
 * same dead letter at once publish it once; `--force` takes the claim regardless.
 */
export class ReplayLedger {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async statuses(ids: string[]): Promise<Map<string, ReplayStatus>> {
    const out = new Map<string, ReplayStatus>();
    if (ids.length === 0) return out;
    const values = await this.redis.mget(...ids.map(replayKey));
    ids.forEach((id, i) => out.set(id, parseStatus(values[i] ?? null)));
    return out;
  }

  /** The claim, or null when the id is replayed or being replayed and `force` is off. */
  async claim(id: string, force: boolean): Promise<ReplayClaim | null> {
    const token = `${IN_PROGRESS}${randomUUID()}|${new Date().toISOString()}`;
    const key = replayKey(id);
    const set = force
      ? await this.redis.set(key, token, 'EX', REPLAY_CLAIM_SECONDS)
      : await this.redis.set(key, token, 'EX', REPLAY_CLAIM_SECONDS, 'NX');
    if (set !== 'OK') return null;
    return {
      complete: async (record) => {
        await this.redis.set(key, JSON.stringify(record), 'EX', this.ttlSeconds);
      },
      abandon: async () => {
        await this.redis.eval(ABANDON, 1, key, token);
      },
    };
  }
}

function parseStatus(value: string | null): ReplayStatus {
  if (value === null) return { state: 'none' };
  if (value.startsWith(IN_PROGRESS)) return { state: 'in-progress' };
  try {
    return { state: 'replayed', record: JSON.parse(value) as ReplayRecord };
  } catch {
    return { state: 'in-progress' };
  }
}
