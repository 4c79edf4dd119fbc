import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * How a lease's values look in Redis. A held lease is `<held><owner>`, optionally followed by
 * `|<detail>`; a finished one is `<done><value>`. Each user keeps its own prefixes, so the values
 * already stored by earlier versions stay readable.
 */
export interface LeaseFormat {
  held: string;
  done: string;
}

export type LeaseState = { state: 'free' } | { state: 'held' } | { state: 'done'; value: string };

export type LeaseClaim = { state: 'claimed'; lease: Lease } | Exclude<LeaseState, { state: 'free' }>;

export interface ClaimOptions {
  /** Kept after the owner in the held value (`<held><owner>|<detail>`). */
  detail?: string;
  /** Take the key whatever it holds (an operator's explicit override). */
  force?: boolean;
}

// The value belongs to ARGV[1]'s owner: it is `<held><owner>` or `<held><owner>|…`.
const OWNED = `local function owned(v, owner) return v == owner or string.sub(v, 1, #owner + 1) == owner .. '|' end`;

const SCRIPTS = {
  leaseClaim: {
    numberOfKeys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if v and ARGV[3] ~= '1' then return {'taken', v} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'claimed'}`,
  },
  leaseRenew: {
    numberOfKeys: 1,
    lua: `${OWNED}
local v = redis.call('GET', KEYS[1])
if v and owned(v, ARGV[1]) then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  },
  leaseRelease: {
    numberOfKeys: 1,
    lua: `${OWNED}
local v = redis.call('GET', KEYS[1])
if v and owned(v, ARGV[1]) then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  // Deletes a finished lease only, never one being held.
  leaseForget: {
    numberOfKeys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] and string.sub(v, 1, #ARGV[2]) ~= ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
} as const;

interface LeaseCommands {
  leaseClaim(key: string, value: string, leaseMs: number, force: '0' | '1'): Promise<['claimed'] | ['taken', string]>;
  leaseRenew(key: string, owner: string, leaseMs: number): Promise<number>;
  leaseRelease(key: string, owner: string): Promise<number>;
  leaseForget(key: string, donePrefix: string, heldPrefix: string): Promise<number>;
}

/** Registers Lua scripts as ioredis commands, once per client (EVALSHA, loaded on first use). */
export function defineScripts<T>(redis: Redis, scripts: RedisScripts): Redis & T {
  for (const [name, definition] of Object.entries(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, definition);
  }
  return redis as Redis & T;
}

export type RedisScripts = Record<string, { numberOfKeys?: number; lua: string }>;

/** A store whose Redis commands `C` include its own Lua scripts. */
export abstract class ScriptedRedisStore<C> {
  protected readonly redis: Redis & C;

  protected constructor(redis: Redis, scripts: RedisScripts) {
    this.redis = defineScripts<C>(redis, scripts);
  }
}

/**
 * Claim-once records in Redis: one owner at a time holds a key for a lease (it expires by itself
 * if the owner dies), then completes it into a durable `done` marker or releases it. Only the
 * owner renews or releases, so a holder whose lease ran out cannot drop its successor's claim.
 */
export class RedisLease extends ScriptedRedisStore<LeaseCommands> {
  constructor(
    redis: Redis,
    private readonly format: LeaseFormat,
  ) {
    super(redis, SCRIPTS);
  }

  async claim(key: string, leaseMs: number, options: ClaimOptions = {}): Promise<LeaseClaim> {
    const owner = randomUUID();
    const held = this.format.held + owner + (options.detail === undefined ? '' : `|${options.detail}`);
    const [outcome, current] = await this.redis.leaseClaim(key, held, leaseMs, options.force ? '1' : '0');
    if (outcome === 'claimed') return { state: 'claimed', lease: new Lease(this.redis, this.format, key, this.format.held + owner) };
    return this.stateOf(current!) as LeaseClaim;
  }

  /** The state of each key (one MGET). */
  async read(keys: string[]): Promise<LeaseState[]> {
    if (keys.length === 0) return [];
    return (await this.redis.mget(...keys)).map((v) => (v === null ? { state: 'free' } : this.stateOf(v)));
  }

  /** Releases a lease held by `owner` (for holders that keep their owner id across processes). */
  async release(key: string, owner: string): Promise<boolean> {
    return (await this.redis.leaseRelease(key, this.format.held + owner)) === 1;
  }

  /** Drops a `done` marker (never a held lease), so the key can be claimed again. */
  async forget(key: string): Promise<boolean> {
    return (await this.redis.leaseForget(key, this.format.done, this.format.held)) === 1;
  }

  private stateOf(value: string): LeaseState {
    const { held, done } = this.format;
    if (value.startsWith(done) && !value.startsWith(held)) return { state: 'done', value: value.slice(done.length) };
    return { state: 'held' };
  }
}

/** One claimed lease. */
export class Lease {
  constructor(
    private readonly redis: Redis & LeaseCommands,
    private readonly format: LeaseFormat,
    readonly key: string,
    private readonly owner: string,
  ) {}

  /** Extends the lease to `leaseMs` from now; false when it is no longer ours. */
  async renew(leaseMs: number): Promise<boolean> {
    return (await this.redis.leaseRenew(this.key, this.owner, leaseMs)) === 1;
  }

  /**
   * Turns the lease into the `done` marker for `ttlMs`. Not conditional on still owning it: the
   * work has happened, and saying so is right even if the lease ran out meanwhile.
   */
  async complete(ttlMs: number, value = ''): Promise<void> {
    await this.redis.set(this.key, this.format.done + value, 'PX', ttlMs);
  }

  /** Gives the key up if the lease is still ours (it may have run out and been claimed again). */
  async release(): Promise<boolean> {
    return (await this.redis.leaseRelease(this.key, this.owner)) === 1;
  }
}
