import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module.js';
import { defineScripts } from '../redis/redis-lease.js';
import { isBroadcastId } from './broadcast-id.js';

/** How one message of a broadcast ended, as far as Twilio told us. */
export type BroadcastDeliveryOutcome = 'delivered' | 'undelivered' | 'failed' | 'optedOut';

export const BROADCAST_DELIVERY_OUTCOMES: readonly BroadcastDeliveryOutcome[] = ['delivered', 'undelivered', 'failed', 'optedOut'];

export type BroadcastDeliveryCounts = Record<BroadcastDeliveryOutcome, number>;

/** One message's final outcome. */
export interface DeliveryReceipt {
  /** Twilio's MessageSid; for a message Twilio refused at creation (21610, no SID), the event's id. */
  messageId: string;
  outcome: BroadcastDeliveryOutcome;
}

/** The counts: a small hash `delivered`, `undelivered`, `failed`, `optedOut` (after REDIS_KEY_PREFIX). */
export const broadcastDeliveryKey = (broadcastId: string): string => `broadcast:${broadcastId}:delivery`;
/** The message ids already counted (a set), so each message's outcome counts once. */
export const broadcastDeliveryCountedKey = (broadcastId: string): string => `broadcast:${broadcastId}:delivery:counted`;

export interface BroadcastDeliveryTtls {
  /** How long the counts stay readable after the last receipt. */
  countsMs: number;
  /** How long a counted message id is remembered (longer than Twilio keeps sending callbacks for one message). */
  countedMs: number;
}

export const DEFAULT_BROADCAST_DELIVERY_TTLS: BroadcastDeliveryTtls = { countsMs: 30 * 86_400_000, countedMs: 7 * 86_400_000 };

export const BROADCAST_DELIVERY_TTLS = Symbol('BROADCAST_DELIVERY_TTLS');

// KEYS: counts, counted. ARGV: message id, outcome, counts TTL, counted TTL. 1 when counted now.
const RECORD = `local fresh = redis.call('SADD', KEYS[2], ARGV[1])
if fresh == 1 then redis.call('HINCRBY', KEYS[1], ARGV[2], 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return fresh`;

interface DeliveryCommands {
  broadcastDeliveryRecord(
    counts: string,
    counted: string,
    messageId: string,
    outcome: string,
    countsMs: number,
    countedMs: number,
  ): Promise<number>;
}

/**
 * What became of a broadcast's messages after Twilio accepted (or refused) them: delivered,
 * undelivered, failed, opted out. Written by the status callbacks (webhooks) and the notifier (a
 * 21610 answer); read by `broadcast show` and the broadcast metrics. Each message counts once,
 * whatever number of callbacks or retries report it.
 */
@Injectable()
export class BroadcastDeliveryStore {
  private readonly redis: Redis & DeliveryCommands;
  private readonly ttls: BroadcastDeliveryTtls;

  constructor(@Inject(REDIS) redis: Redis, @Optional() @Inject(BROADCAST_DELIVERY_TTLS) ttls?: BroadcastDeliveryTtls) {
    this.redis = defineScripts<DeliveryCommands>(redis, { broadcastDeliveryRecord: { numberOfKeys: 2, lua: RECORD } });
    this.ttls = ttls ?? DEFAULT_BROADCAST_DELIVERY_TTLS;
  }

  /** Counts `receipt` once for `broadcastId`; false when that message was counted already. */
  async record(broadcastId: string, receipt: DeliveryReceipt): Promise<boolean> {
    assertBroadcastId(broadcastId);
    if (!BROADCAST_DELIVERY_OUTCOMES.includes(receipt.outcome)) throw new RangeError(`unknown delivery outcome ${String(receipt.outcome)}`);
    if (typeof receipt.messageId !== 'string' || receipt.messageId === '') throw new TypeError('a delivery receipt needs a message id');
    const fresh = await this.redis.broadcastDeliveryRecord(
      broadcastDeliveryKey(broadcastId),
      broadcastDeliveryCountedKey(broadcastId),
      receipt.messageId,
      receipt.outcome,
      this.ttls.countsMs,
      this.ttls.countedMs,
    );
    return fresh === 1;
  }

  /** The counts so far (zeros for a broadcast nothing was reported for, or whose counts expired). */
  async read(broadcastId: string): Promise<BroadcastDeliveryCounts> {
    assertBroadcastId(broadcastId);
    const values = await this.redis.hmget(broadcastDeliveryKey(broadcastId), ...BROADCAST_DELIVERY_OUTCOMES);
    const counts = {} as BroadcastDeliveryCounts;
    BROADCAST_DELIVERY_OUTCOMES.forEach((outcome, i) => (counts[outcome] = Number(values[i] ?? 0)));
    return counts;
  }
}

function assertBroadcastId(broadcastId: string): void {
  if (!isBroadcastId(broadcastId)) throw new RangeError('a broadcast id is 1 to 128 letters, digits or ._:-');
}
