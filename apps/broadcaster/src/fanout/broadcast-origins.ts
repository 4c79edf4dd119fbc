import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { originKey } from '@app/shared/broadcast/broadcast-keys.js';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { fanoutConfig, type FanoutConfig } from '../config/broadcaster.config.js';
import type { ConsumedPosition } from './partition-transactions.js';

/**
 * Which request record started a broadcast. The same broadcast can be requested twice (a Twilio
 * retry of a CONFIRM whose first answer was lost); its records share a key, hence a partition, so
 * the first request's offset tells the original from a duplicate. Reading the original again
 * (its step was not committed) is not a duplicate.
 */
@Injectable()
export class BroadcastOrigins {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(fanoutConfig.KEY) private readonly config: FanoutConfig,
  ) {}

  async isFirst(broadcastId: string, consumed: ConsumedPosition): Promise<boolean> {
    const position = `${consumed.topic}:${consumed.partition}:${consumed.offset}`;
    const key = originKey(broadcastId);
    const set = await this.redis.set(key, position, 'PX', this.config.statusTtlMs, 'NX');
    return set === 'OK' || (await this.redis.get(key)) === position;
  }
}
