import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Redis, type RedisOptions } from 'ioredis';
import { redisConfig, type RedisConfig } from '../config/common.env.js';
import { probeReadiness } from '../health/readiness-probe.js';

/** Injection token for the shared ioredis client. */
export const REDIS = Symbol('REDIS');

/**
 * A client that fails fast while Redis is unreachable (no offline queue, short command timeout),
 * so a request answers 5xx promptly instead of hanging; it reconnects on its own.
 */
export function createRedisClient(config: RedisConfig, extra: RedisOptions = {}, name = 'redis'): Redis {
  const client = new Redis(config.url, {
    keyPrefix: config.keyPrefix || undefined,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...extra,
  });
  const logger = new Logger(name);
  let lastError = '';
  client.on('error', (err: Error) => {
    // One line per distinct failure, not one per reconnect attempt.
    if (err.message !== lastError) logger.warn({ msg: 'redis connection error', err });
    lastError = err.message;
  });
  client.on('ready', () => (lastError = ''));
  return client;
}

@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    await this.redis.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Readiness: Redis answers PING. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy(key = 'redis', timeoutMs = 1000) {
    return probeReadiness(this.health, key, { check: () => this.redis.ping(), timeoutMs, downMessage: 'Redis unreachable' });
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(): DynamicModule {
    return {
      module: RedisModule,
      imports: [TerminusModule],
      providers: [
        {
          provide: REDIS,
          inject: [redisConfig.KEY],
          useFactory: (config: ConfigType<typeof redisConfig>) => createRedisClient(config),
        },
        RedisLifecycle,
        RedisHealthIndicator,
      ],
      exports: [REDIS, RedisHealthIndicator],
    };
  }
}
