import type { Redis } from 'ioredis';
import { ScriptedRedisStore } from '../redis/redis-lease.js';
import { STATUS_INDEX_KEY, statusKey } from './broadcast-keys.js';
import { BROADCAST_COMPLETED, BROADCAST_FAILED, BROADCAST_REQUESTED, type BroadcastRecord } from './broadcast-records.js';

export type BroadcastState = 'requested' | 'running' | 'completed' | 'failed';

/** One broadcast as `broadcast show` prints it. Counts are those of the last committed step. */
export interface BroadcastStatus {
  broadcastId: string;
  clientId: string;
  state: BroadcastState;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  sent: number;
  skipped: number;
  optedOut: number;
  pages: number;
  cursor: string | null;
  reason: string | null;
  resumable: boolean;
}

// A status only moves forward: a step re-run after a crash, or a fenced worker's late write,
// must not take it back. The rank is the page count, a terminal state one above its last page.
const SCRIPTS = {
  broadcastStatusWrite: {
    numberOfKeys: 2,
    lua: `local rank = tonumber(redis.call('HGET', KEYS[1], 'rank') or '-1')
if tonumber(ARGV[1]) < rank then return 0 end
redis.call('HSET', KEYS[1], 'rank', ARGV[1], unpack(cjson.decode(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
return 1`,
  },
} as const;

interface StatusCommands {
  broadcastStatusWrite(
    key: string,
    index: string,
    rank: number,
    fields: string,
    ttlMs: number,
    score: number,
    id: string,
    oldest: number,
  ): Promise<number>;
}

const stateOf = (record: BroadcastRecord): BroadcastState =>
  record.type === BROADCAST_REQUESTED
    ? 'requested'
    : record.type === BROADCAST_COMPLETED
      ? 'completed'
      : record.type === BROADCAST_FAILED
        ? 'failed'
        : 'running';

/**
 * The status view of broadcasts in Redis, written by the broadcaster after each committed step and
 * read by the CLI. It is a view: Kafka holds the truth (the last record of a broadcast), and a
 * lost view is rebuilt by the next step.
 */
export class BroadcastStatusStore extends ScriptedRedisStore<StatusCommands> {
  constructor(
    redis: Redis,
    private readonly ttlMs: number,
  ) {
    super(redis, SCRIPTS);
  }

  async record(record: BroadcastRecord): Promise<void> {
    const r = record.request;
    const terminal = record.type === BROADCAST_COMPLETED || record.type === BROADCAST_FAILED;
    const progress = record.type === BROADCAST_REQUESTED ? undefined : record.progress;
    const rank = (progress?.pages ?? -1) * 2 + (terminal ? 1 : 0) + 2;
    const fields: Record<string, string> = {
      clientId: r.clientId,
      state: stateOf(record),
      requestedAt: r.requestedAt,
      startedAt: progress?.startedAt ?? '',
      finishedAt: terminal ? record.finishedAt : '',
      sent: String(progress?.sent ?? 0),
      skipped: String(progress?.skipped ?? 0),
      optedOut: String(progress?.optedOut ?? 0),
      pages: String(progress?.pages ?? 0),
      cursor: progress?.cursor ?? '',
      reason: record.type === BROADCAST_FAILED ? record.reason : '',
      resumable: record.type === BROADCAST_FAILED && record.resumable ? '1' : '0',
    };
    const requestedMs = Date.parse(r.requestedAt);
    await this.redis.broadcastStatusWrite(
      statusKey(r.broadcastId),
      STATUS_INDEX_KEY,
      rank,
      JSON.stringify(Object.entries(fields).flat()),
      this.ttlMs,
      requestedMs,
      r.broadcastId,
      Date.now() - this.ttlMs,
    );
  }

  async read(broadcastId: string): Promise<BroadcastStatus | undefined> {
    const h = await this.redis.hgetall(statusKey(broadcastId));
    if (!h.state) return undefined;
    return {
      broadcastId,
      clientId: h.clientId ?? '',
      state: h.state as BroadcastState,
      requestedAt: h.requestedAt ?? '',
      startedAt: h.startedAt || null,
      finishedAt: h.finishedAt || null,
      sent: Number(h.sent ?? 0),
      skipped: Number(h.skipped ?? 0),
      optedOut: Number(h.optedOut ?? 0),
      pages: Number(h.pages ?? 0),
      cursor: h.cursor || null,
      reason: h.reason || null,
      resumable: h.resumable === '1',
    };
  }

  /** The most recent broadcasts, newest first. */
  async list(limit: number): Promise<BroadcastStatus[]> {
    const ids = await this.redis.zrevrange(STATUS_INDEX_KEY, 0, limit - 1);
    const statuses = await Promise.all(ids.map((id) => this.read(id)));
    return statuses.filter((s): s is BroadcastStatus => s !== undefined);
  }
}
