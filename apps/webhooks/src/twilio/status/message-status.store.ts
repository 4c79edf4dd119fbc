import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { defineScripts } from '@app/shared/redis/redis-lease.js';
import type { FinalStatus } from './message-status.js';

/** How long a message's final status is kept: longer than Twilio goes on reporting one message. */
export const MESSAGE_STATUS_TTL_MS = 7 * 86_400_000;

/** `<final status>|<error code or empty>` of one message (after REDIS_KEY_PREFIX). */
export const messageStatusKey = (messageSid: string): string => `twilio:status:${messageSid}`;

// The first final status of a message is its status for good (SET NX); answers the one kept and
// whether it is the one just given.
const RECORD = `local kept = redis.call('GET', KEYS[1])
if kept then return {kept, 0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], 1}`;

interface StatusCommands {
  twilioMessageStatus(key: string, value: string, ttlMs: number): Promise<[string, number]>;
}

export interface KeptStatus {
  status: FinalStatus;
  errorCode?: number;
  /** This callback is the first to report the message's final status. */
  first: boolean;
}

/**
 * The final status of each message Twilio reported on (delivered, read, undelivered, failed,
 * canceled). Twilio may report one message more than once, and callbacks are separate requests
 * that can arrive in any order: the first final status recorded is the message's, for good.
 */
@Injectable()
export class MessageStatusStore {
  private readonly redis: Redis & StatusCommands;

  constructor(@Inject(REDIS) redis: Redis) {
    this.redis = defineScripts<StatusCommands>(redis, { twilioMessageStatus: { numberOfKeys: 1, lua: RECORD } });
  }

  async recordFinal(messageSid: string, status: FinalStatus, errorCode?: number): Promise<KeptStatus> {
    const [kept, first] = await this.redis.twilioMessageStatus(
      messageStatusKey(messageSid),
      `${status}|${errorCode ?? ''}`,
      MESSAGE_STATUS_TTL_MS,
    );
    const [keptStatus, keptCode] = kept.split('|') as [FinalStatus, string];
    return { status: keptStatus, first: first === 1, ...(keptCode ? { errorCode: Number(keptCode) } : {}) };
  }
}
