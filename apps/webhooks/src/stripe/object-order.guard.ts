import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { STRIPE_CONFIG } from './stripe-api.client.js';
import { ObjectBusyError } from './stripe-event.errors.js';
import type { StripeConfig } from './stripe.env.js';

/** Longest time one event may hold an object; it ends by itself if the process dies. */
export const OBJECT_LOCK_MS = 30_000;
/** How long an event waits for another one on the same object before giving up (then 500, Stripe retries). */
export const OBJECT_LOCK_WAIT_MS = 1_000;
const LOCK_POLL_MS = 20;

/**
 * Per Stripe object (product or price id): the newest event `created` applied so far, and a short
 * lock so two events for the same object are never applied at the same time.
 *   ARGV: created, lock token, lock ms, mark ttl seconds, 'skip-older' | 'apply'
 */
const ENTER = `
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
local created = tonumber(ARGV[1])
if ARGV[5] == 'skip-older' and current > created then return 'stale' end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 'busy' end
if created > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
else
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
return 'entered'`;

const LOCK_ONLY = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'entered' end
return 'busy'`;

const LEAVE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * `skip-older`: an update whose event is older than one already applied to the object is not
 * applied (Stripe does not deliver in order, and every update event carries the full object).
 * `apply`: always applied, but still serialized and recorded (creations and deletions), so an older
 * update arriving after a deletion is skipped too.
 */
export type OrderMode = 'skip-older' | 'apply';

type EnterState = 'stale' | 'busy' | 'entered';

export type OrderedResult<T> = { applied: true; value: T } | { applied: false };

/**
 * Order safety by comparing event `created` per object in Redis (no extra Stripe API read per
 * event). Events of the same second count as in order. The mark lives as long as processed event
 * ids (`STRIPE_EVENT_DEDUPE_TTL`): older events cannot arrive after that.
 */
@Injectable()
export class ObjectOrderGuard {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(STRIPE_CONFIG) private readonly config: StripeConfig,
  ) {}

  /**
   * Runs `work` unless the event is older than what the object already reflects (`skip-older`).
   * @throws ObjectBusyError when another event kept the object for longer than OBJECT_LOCK_WAIT_MS (transient).
   */
  async run<T>(objectId: string, created: number, mode: OrderMode, work: () => Promise<T>): Promise<OrderedResult<T>> {
    const token = randomUUID();
    const keys = [markKey(objectId), lockKey(objectId)];
    const state = await this.enter(objectId, () =>
      this.redis.eval(ENTER, 2, ...keys, created, token, OBJECT_LOCK_MS, this.config.dedupeTtlSeconds, mode) as Promise<EnterState>,
    );
    if (state === 'stale') return { applied: false };
    return { applied: true, value: await this.holding(objectId, token, work) };
  }

  /**
   * Runs `work` while holding the object without recording an event for it: for a change that
   * reads and writes state another object's events own (a new price re-sends its plan's isActive).
   */
  async exclusive<T>(objectId: string, work: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    await this.enter(objectId, () => this.redis.eval(LOCK_ONLY, 1, lockKey(objectId), token, OBJECT_LOCK_MS) as Promise<EnterState>);
    return this.holding(objectId, token, work);
  }

  private async enter(objectId: string, attempt: () => Promise<EnterState>): Promise<'entered' | 'stale'> {
    const deadline = Date.now() + OBJECT_LOCK_WAIT_MS;
    for (;;) {
      const state = await attempt();
      if (state !== 'busy') return state;
      if (Date.now() >= deadline) throw new ObjectBusyError(objectId);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  private async holding<T>(objectId: string, token: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      // Not awaited: Redis runs one connection's commands in order, so whatever this process sends
      // next (the event's `done` mark, the next event for this object) already finds the lock
      // released, and the request does not wait for one more round trip. A failed release
      // expires on its own (OBJECT_LOCK_MS).
      this.redis.eval(LEAVE, 1, lockKey(objectId), token).catch(() => undefined);
    }
  }

  /** The newest event `created` recorded for the object (for diagnostics and tests). */
  async newestApplied(objectId: string): Promise<number | null> {
    const value = await this.redis.get(markKey(objectId));
    return value === null ? null : Number(value);
  }
}

// The hash tag keeps both keys of an object in one slot (Redis Cluster runs the script on one node).
const markKey = (objectId: string) => `stripe:object:{${objectId}}:created`;
const lockKey = (objectId: string) => `stripe:object:{${objectId}}:lock`;
