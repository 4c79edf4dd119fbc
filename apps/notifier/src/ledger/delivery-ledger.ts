import { createRedisClient } from '@app/shared/redis/redis.module.js';
import { RedisLease, defineScripts } from '@app/shared/redis/redis-lease.js';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisConfig } from '@app/shared/config/common.env.js';
import { MicroBatcher } from './micro-batcher.js';

export type ClaimResult =
  /** Nobody handled this event before: it is ours to send. `since` = claim time (Redis clock, ms). */
  | { state: 'claimed'; since: number }
  /** Already delivered (`providerId` = Twilio SID): skip it. */
  | { state: 'sent'; providerId: string }
  /** Another consumer is working on it right now; ask again in `retryInMs`. */
  | { state: 'busy'; retryInMs: number }
  /**
   * A previous claim's lease ran out without a result (its process died, possibly after the
   * provider took the message): ours now. `since` = when the first attempt began.
   */
  | { state: 'recovered'; since: number };

export interface LedgerOptions {
  /** How long a claim stays valid without renewal. */
  leaseMs: number;
  /** How long a delivered event is remembered. */
  ttlMs: number;
  /** Also index provider ids (needed to reconcile with the provider's log after a crash). */
  indexProviderIds: boolean;
}

export const LEDGER_OPTIONS = Symbol('LEDGER_OPTIONS');
/** The ledger's own Redis connection (see createLedgerRedis). */
export const LEDGER_REDIS = Symbol('LEDGER_REDIS');

/**
 * A connection for the ledger alone, with auto-pipelining: the claims and records of all messages
 * in flight in one event-loop turn go to Redis in one write (two commands per SMS otherwise cost
 * a syscall each). Fails fast like the shared client, so outages surface as transient errors.
 */
export function createLedgerRedis(config: RedisConfig): Redis {
  return createRedisClient(config, { enableAutoPipelining: true }, 'ledger-redis');
}

const RECORD = (id: string) => `notifier:sms:${id}`;
const PROVIDER_ID = (providerId: string) => `notifier:sent-id:${providerId}`;

// Values: `c|<owner>|<leaseUntil ms>|<first claim ms>` (claimed) or `s|<provider id>|<sent ms>` (sent).
// Time comes from Redis (TIME), so leases mean the same to every notifier process.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
const MS = `local function ms(x) return string.format('%.0f', x) end`;

const PARSE = `local function parse(v) return string.match(v, '^(%a)|([^|]*)|([^|]*)|?([^|]*)$') end`;

// One call claims many events (KEYS = their records; ARGV = lease, ttl, then one owner per key);
// answers a flat list of (state, value) pairs.
const CLAIM_MANY = `${NOW} ${MS} ${PARSE}
local lease = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local owner = ARGV[i + 2]
  local v = redis.call('GET', key)
  local state, value
  if not v then
    redis.call('SET', key, 'c|' .. owner .. '|' .. ms(now + lease) .. '|' .. ms(now), 'PX', ARGV[2])
    state, value = 'claimed', ms(now)
  else
    local kind, a, b, c = parse(v)
    if kind == 's' then
      state, value = 'sent', a
    elseif kind == 'c' then
      local first = c
      if first == nil or first == '' then first = ms(now) end
      local leaseUntil = tonumber(b) or 0
      if a == owner then
        state, value = 'claimed', first
      elseif now < leaseUntil then
        state, value = 'busy', ms(leaseUntil - now)
      else
        redis.call('SET', key, 'c|' .. owner .. '|' .. ms(now + lease) .. '|' .. first, 'PX', ARGV[2])
        state, value = 'recovered', first
      end
    else
      redis.call('SET', key, 'c|' .. owner .. '|' .. ms(now + lease) .. '|' .. ms(now), 'PX', ARGV[2])
      state, value = 'claimed', ms(now)
    end
  end
  out[#out + 1] = state
  out[#out + 1] = value
end
return out`;

const RENEW = `${NOW} ${MS} ${PARSE}
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local kind, a, b, c = parse(v)
if kind ~= 'c' or a ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'c|' .. a .. '|' .. ms(now + tonumber(ARGV[2])) .. '|' .. c, 'PX', ARGV[3])
return 1`;

// KEYS = per event its record (and, when ARGV[2] == '1', its provider-id index key);
// ARGV = ttl, indexed?, then per event: provider id, event id.
const MARK_SENT_MANY = `${NOW} ${MS}
local per = 1
if ARGV[2] == '1' then per = 2 end
local n = #KEYS / per
for i = 1, n do
  local providerId = ARGV[1 + 2 * i]
  redis.call('SET', KEYS[(i - 1) * per + 1], 's|' .. providerId .. '|' .. ms(now), 'PX', ARGV[1])
  if per == 2 then redis.call('SET', KEYS[(i - 1) * per + 2], ARGV[2 + 2 * i], 'PX', ARGV[1]) end
end
return n`;

interface LedgerCommands {
  notifierClaimMany(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
  notifierRenew(key: string, owner: string, leaseMs: number, ttlMs: number): Promise<number>;
  notifierMarkSentMany(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

/**
 * Redis record of what happened to each event, so that redelivery never sends an SMS twice.
 *
 * claim (atomic, before sending) → send → markSent. A claim is a lease held by one attempt
 * (`owner`): other consumers that meet the event meanwhile wait (`busy`). If the holder dies, the
 * lease runs out and the next consumer takes over (`recovered`) and must first find out whether
 * the dead holder's send reached the provider. Dead-lettered events are released, not recorded:
 * a replay from the dead-letter topic is meant to be delivered.
 */
@Injectable()
export class DeliveryLedger implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: Redis & LedgerCommands;
  private readonly leases: RedisLease;
  private readonly claims: MicroBatcher<{ id: string; owner: string }, ClaimResult>;
  private readonly records: MicroBatcher<{ id: string; providerId: string }, void>;

  constructor(
    @Inject(LEDGER_REDIS) redis: Redis,
    @Inject(LEDGER_OPTIONS) private readonly options: LedgerOptions,
  ) {
    this.redis = defineScripts<LedgerCommands>(redis, {
      notifierClaimMany: { lua: CLAIM_MANY },
      notifierRenew: { numberOfKeys: 1, lua: RENEW },
      notifierMarkSentMany: { lua: MARK_SENT_MANY },
    });
    this.leases = new RedisLease(redis, { held: 'c|', done: 's|' });
    this.claims = new MicroBatcher((items) => this.claimMany(items));
    this.records = new MicroBatcher((items) => this.markSentMany(items));
  }

  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'wait') await this.redis.connect();
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  /** Claims the event for `owner` (batched with the other claims of this event-loop turn). */
  claim(id: string, owner: string): Promise<ClaimResult> {
    return this.claims.submit({ id, owner });
  }

  private async claimMany(items: { id: string; owner: string }[]): Promise<ClaimResult[]> {
    const flat = await this.redis.notifierClaimMany(
      items.length,
      ...items.map((i) => RECORD(i.id)),
      this.options.leaseMs,
      this.options.ttlMs,
      ...items.map((i) => i.owner),
    );
    return items.map((_, i) => toClaimResult(flat[2 * i]!, flat[2 * i + 1]!));
  }

  /** Extends the lease to `leaseMs` from now; false when the claim is no longer ours (it ran out and was taken over). */
  async renew(id: string, owner: string, leaseMs = this.options.leaseMs): Promise<boolean> {
    return (await this.redis.notifierRenew(RECORD(id), owner, leaseMs, this.options.ttlMs)) === 1;
  }

  /** Records the delivery (batched with the other records of this event-loop turn). */
  markSent(id: string, providerId: string): Promise<void> {
    return this.records.submit({ id, providerId });
  }

  private async markSentMany(items: { id: string; providerId: string }[]): Promise<void[]> {
    const indexed = this.options.indexProviderIds;
    const keys = items.flatMap((i) => (indexed ? [RECORD(i.id), PROVIDER_ID(i.providerId)] : [RECORD(i.id)]));
    await this.redis.notifierMarkSentMany(
      keys.length,
      ...keys,
      this.options.ttlMs,
      indexed ? '1' : '0',
      ...items.flatMap((i) => [i.providerId, i.id]),
    );
    return items.map(() => undefined);
  }

  /** Gives the event back (dead-lettered, or abandoned on shutdown) if the claim is still ours. */
  async release(id: string, owner: string): Promise<void> {
    await this.leases.release(RECORD(id), owner);
  }

  /** Which of these provider ids are recorded for an event other than `id`. */
  async takenProviderIds(id: string, providerIds: string[]): Promise<Set<string>> {
    if (providerIds.length === 0) return new Set();
    const owners = await this.redis.mget(...providerIds.map(PROVIDER_ID));
    return new Set(providerIds.filter((_, i) => owners[i] !== null && owners[i] !== id));
  }
}

function toClaimResult(state: string, value: string): ClaimResult {
  switch (state) {
    case 'sent':
      return { state, providerId: value };
    case 'busy':
      return { state, retryInMs: Number(value) };
    case 'recovered':
      return { state, since: Number(value) };
    default:
      return { state: 'claimed', since: Number(value) };
  }
}
