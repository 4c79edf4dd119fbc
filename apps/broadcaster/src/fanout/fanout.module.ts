import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Redis } from 'ioredis';
import { BroadcastReport } from '@app/shared/broadcast/broadcast-report.js';
import { BroadcastStatusStore } from '@app/shared/broadcast/broadcast-status.store.js';
import { PhoneCipherModule } from '@app/shared/crypto/phone-cipher.module.js';
import { OptOutModule } from '@app/shared/opt-out/opt-out.module.js';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { gatewayConfig, type GatewayConfig } from '@app/shared/config/gateway.env.js';
import { tracingConfig, type TracingConfig } from '@app/shared/config/tracing.env.js';
import { fanoutConfig } from '../config/broadcaster.config.js';
import { BroadcasterMetrics } from '../metrics/broadcaster-metrics.js';
import { BroadcastEnding } from './broadcast-ending.js';
import { BroadcastOrigins } from './broadcast-origins.js';
import { FanoutConsumer } from './fanout.consumer.js';
import { FanoutStep } from './fanout-step.js';
import { PageStreams } from './page-streams.js';
import { PAGE_READER_CHANNEL, PageReaderThread, workerChannel } from './page-reader.thread.js';

/** How long the CONFIRM/fan-out handshake of one broadcast is kept (far beyond Twilio's 15 s). */
const REPORT_TTL_MS = 3_600_000;

/**
 * The fan-out: consumes the broadcasts topic and expands each broadcast into SendSms records,
 * exactly once, step by step. Needs KAFKA_CLIENT (KafkaModule), REDIS (RedisModule),
 * OidcTokenProvider (GatewayModule), METRICS_REGISTRY (MetricsModule) and the config sections.
 */
@Module({
  imports: [PhoneCipherModule, OptOutModule],
  providers: [
    {
      provide: PAGE_READER_CHANNEL,
      inject: [gatewayConfig.KEY, { token: tracingConfig.KEY, optional: true }],
      useFactory: (gateway: GatewayConfig, tracing?: TracingConfig) => workerChannel(gateway, tracing),
    },
    PageReaderThread,
    PageStreams,
    {
      provide: BroadcastReport,
      inject: [REDIS],
      useFactory: (redis: Redis) => new BroadcastReport(redis, REPORT_TTL_MS),
    },
    {
      provide: BroadcastStatusStore,
      inject: [REDIS, fanoutConfig.KEY],
      useFactory: (redis: Redis, config: ConfigType<typeof fanoutConfig>) => new BroadcastStatusStore(redis, config.statusTtlMs),
    },
    BroadcastEnding,
    BroadcastOrigins,
    FanoutStep,
    BroadcasterMetrics,
    FanoutConsumer,
  ],
})
export class FanoutModule {}
