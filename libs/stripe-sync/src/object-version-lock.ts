import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { RedisLease, defineScripts, type Lease } from '@app/shared/redis/redis-lease.js';

import { ObjectBusyError } from './stripe-event.errors.js';
import type { StripeConfig } from './stripe.env.js';
import { stripeConfig } from './stripe.env.js';

/** Longest time one event may hold an object; it ends by itself if the process dies. */
export const OBJECT_LOCK_MS = 30_000;
/** How long an event waits for another one on the same object before giving up (then 500, Stripe retries). */
export const OBJECT_LOCK_WAIT_MS = 1_000;
const LOCK_POLL_MS = 20;

/**
 * Stripe never reuses a product or price id, so a deleted object stays deleted: its tombstone keeps
 * a stale `*.created` (or update) from bringing it back. Such a create can reach us through Stripe's
 * retries (3 days) or through stripe-reconcile from the events API, which keeps events 30 days; one
 * more day covers a reconcile run that starts late. A dead letter replayed later than that is not
 * covered (see docs/stripe.md).
 */
export const TOMBSTONE_TTL_SECONDS = 31 * 24 * 60 * 60;

/**
 * Records the event's `created` as the object's newest, unless (`skip-older`) a newer one is
 * recorded already, or the object was deleted (any mode but `delete`, which leaves the tombstone).
 * Run while holding the object's lock, so nobody else moves the record meanwhile.
 *   KEYS: version, tombstone. ARGV: created, ttl seconds, mode, tombstone ttl seconds
 */
const RECORD_VERSION = `
if ARGV[3] == 'delete' then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[4])
elseif redis.call('EXISTS', KEYS[2]) == 1 then
  return 'deleted'
end
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
local created = tonumber(ARGV[1])
if ARGV[3] == 'skip-older' and current > created then return 'stale' end
if created > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 'recorded'`;

interface VersionCommands {
  stripeRecordVersion(
    versionKey: string,
    tombstoneKey: string,
    created: number,
    ttlSeconds: number,
    mode: OrderMode,
    tombstoneTtlSeconds: number,
  ): Promise<'stale' | 'deleted' | 'recorded'>;
}

/**
 * `skip-older` (updates): an update whose event is older than one already applied to the object is
 * not applied (Stripe does not deliver in order, and every update event carries the full object).
 * `apply` (creations): applied whatever their age, but serialized and recorded.
 * `delete` (deletions): always applied, recorded, and leave the tombstone.
 * Nothing but a deletion is applied to a deleted object.
 */
export type OrderMode = 'skip-older' | 'apply' | 'delete';

/** `stale`: an older event than one applied already; `deleted`: the object was deleted. */
export type OrderedResult<T> = { applied: true; value: T } | { applied: false; reason: 'stale' | 'deleted' };

/**
 * Per Stripe object (product or price id): a short lock so two events for the same object are never
 * applied at the same time, the newest event `created` applied so far (no extra Stripe API read
 * per event), and a tombstone once it is deleted. Events of the same second count as in order. The
 * version record lives as long as processed event ids (`STRIPE_EVENT_DEDUPE_TTL`): older events
 * cannot arrive after that; the tombstone TOMBSTONE_TTL_SECONDS.
 */
@Injectable()
export class ObjectVersionLock {
  private readonly logger = new Logger(ObjectVersionLock.name);
  private readonly redis: Redis & VersionCommands;
  private readonly locks: RedisLease;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
  ) {
    this.redis = defineScripts<VersionCommands>(redis, { stripeRecordVersion: { numberOfKeys: 2, lua: RECORD_VERSION } });
    this.locks = new RedisLease(redis, { held: '', done: '' });
  }

  /**
   * Runs `work` unless the event is older than what the object already reflects (`skip-older`).
   * @throws ObjectBusyError when another event kept the object for longer than OBJECT_LOCK_WAIT_MS (transient).
   */
  async run<T>(objectId: string, created: number, mode: OrderMode, work: () => Promise<T>): Promise<OrderedResult<T>> {
    const isStale = async () => mode === 'skip-older' && ((await this.newestApplied(objectId)) ?? -1) > created;
    const lease = await this.lock(objectId, isStale);
    if (!lease) return { applied: false, reason: 'stale' };
    const recorded = await this.redis
      .stripeRecordVersion(versionKey(objectId), tombstoneKey(objectId), created, this.config.dedupeTtlSeconds, mode, TOMBSTONE_TTL_SECONDS)
      .catch(async (err: unknown) => {
        await lease.release().catch(() => undefined);
        throw err;
      });
    if (recorded !== 'recorded') {
      unlock(lease);
      if (recorded === 'deleted')
        this.logger.log({ msg: 'stripe object was deleted; a later event for it is not applied', objectId, created });
      return { applied: false, reason: recorded };
    }
    return { applied: true, value: await holding(lease, work) };
  }

  /**
   * Runs `work` while holding the object without recording an event for it: for a change that
   * reads and writes state another object's events own (a new price re-sends its plan's isActive).
   */
  async exclusive<T>(objectId: string, work: () => Promise<T>): Promise<T> {
    const lease = await this.lock(objectId, async () => false);
    return holding(lease!, work);
  }

  /** The object's lock, or null as soon as the event turns out stale while waiting for it. */
  private async lock(objectId: string, isStale: () => Promise<boolean>): Promise<Lease | null> {
    const deadline = Date.now() + OBJECT_LOCK_WAIT_MS;
    for (;;) {
      const claim = await this.locks.claim(lockKey(objectId), OBJECT_LOCK_MS);
      if (claim.state === 'claimed') return claim.lease;
      if (await isStale()) return null;
      if (Date.now() >= deadline) throw new ObjectBusyError(objectId);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  /** Whether the object was deleted (for diagnostics and tests). */
  async isDeleted(objectId: string): Promise<boolean> {
    return (await this.redis.exists(tombstoneKey(objectId))) === 1;
  }

  /** The newest event `created` recorded for the object (for diagnostics and tests). */
  async newestApplied(objectId: string): Promise<number | null> {
    const value = await this.redis.get(versionKey(objectId));
    return value === null ? null : Number(value);
  }
}

async function holding<T>(lease: Lease, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    unlock(lease);
  }
}

// Not awaited: Redis runs one connection's commands in order, so whatever this process sends next
// (the event's `done` mark, the next event for this object) already finds the lock released, and
// the request does not wait for one more round trip. A failed release expires on its own
// (OBJECT_LOCK_MS).
function unlock(lease: Lease): void {
  lease.release().catch(() => undefined);
}

// The hash tag keeps the keys of an object in one slot (Redis Cluster).
const versionKey = (objectId: string) => `stripe:object:{${objectId}}:created`;
const tombstoneKey = (objectId: string) => `stripe:object:{${objectId}}:deleted`;
const lockKey = (objectId: string) => `stripe:object:{${objectId}}:lock`;
