import { z } from 'zod';
import {
  kafkaConfig,
  kafkaConfigFrom,
  kafkaEnv,
  redisConfig,
  redisConfigFrom,
  redisEnv,
  runtimeConfig,
  runtimeConfigFrom,
  runtimeEnv,
} from '@app/shared/config/common.env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';
import { duration } from '@app/shared/config/duration.js';
import { encryptionConfig, encryptionConfigFrom, encryptionEnv } from '@app/shared/config/encryption.env.js';
import { parseEnv, port, positiveInt } from '@app/shared/config/env.js';
import { gatewayConfig, gatewayConfigFrom, gatewayEnv } from '@app/shared/config/gateway.env.js';
import { tracingConfigFrom, tracingEnv } from '@app/shared/config/tracing.env.js';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Variables of the broadcaster itself (the shared ones come from libs/shared/src/config). */
export const broadcasterEnv = {
  BROADCAST_CONSUMER_GROUP: z.preprocess(blankToUndefined, z.string().default('broadcast-fanout')).meta({
    description: 'consumer group of the broadcaster processes; also the prefix of their transactional ids',
  }),
  BROADCAST_PAGES_PER_STEP: positiveInt(100).meta({
    description: 'gateway pages fanned out per Kafka transaction (one step); a crash redoes at most one step',
  }),
  BROADCAST_READ_AHEAD_PAGES: positiveInt(32).meta({
    description: 'pages requested ahead of the fan-out, so the gateway keeps working while a step commits and the next one starts',
  }),
  BROADCAST_STEP_MAX_MS: positiveInt(2000).meta({ description: 'longest a step fetches pages before it commits' }),
  BROADCAST_PRODUCE_CHUNK: positiveInt(500).meta({ description: 'SendSms records per produce request inside a step' }),
  BROADCAST_PARTITION_CONCURRENCY: positiveInt(6).meta({
    description: 'broadcasts-topic partitions one process works on at the same time (one broadcast each)',
  }),
  BROADCAST_RETRY_BASE_MS: positiveInt(500).meta({ description: 'first wait before a failed step is retried; doubles per attempt' }),
  BROADCAST_RETRY_MAX_MS: positiveInt(30000).meta({ description: 'longest wait between retries of a failed step' }),
  BROADCAST_STATUS_TTL: duration('30d').meta({ description: 'how long a broadcast’s status stays readable (broadcast list|show)' }),
  ANNOUNCEMENT_DRAFT_TTL: duration('24h').meta({
    description: 'lifetime of a draft the broadcaster puts back after a broadcast that sent nothing failed (as in the webhooks app)',
  }),
  KAFKA_SESSION_TIMEOUT_MS: positiveInt(30000).meta({
    description: 'consumer session timeout; a killed process loses its partitions after this',
  }),
  HEALTH_PORT: port(8082).meta({ description: 'port of GET /health, /health/ready and /metrics (0 = any free port)' }),
  HEALTH_HOST: z.preprocess(blankToUndefined, z.string().default('0.0.0.0')).meta({ description: 'interface of the health port' }),
};

export interface FanoutConfig {
  groupId: string;
  pagesPerStep: number;
  readAheadPages: number;
  stepMaxMs: number;
  produceChunk: number;
  partitionConcurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  statusTtlMs: number;
  draftTtlMs: number;
  sessionTimeoutMs: number;
  pageSize: number;
}

export const broadcasterEnvSchema = z
  .object({ ...runtimeEnv, ...kafkaEnv, ...redisEnv, ...gatewayEnv, ...encryptionEnv, ...tracingEnv, ...broadcasterEnv })
  .transform((e) => ({
    runtime: runtimeConfigFrom(e),
    kafka: kafkaConfigFrom(e, 'broadcaster'),
    redis: redisConfigFrom(e),
    gateway: gatewayConfigFrom(e),
    encryption: encryptionConfigFrom(e),
    tracing: tracingConfigFrom(e, 'broadcaster'),
    fanout: {
      groupId: e.BROADCAST_CONSUMER_GROUP,
      pagesPerStep: e.BROADCAST_PAGES_PER_STEP,
      readAheadPages: e.BROADCAST_READ_AHEAD_PAGES,
      stepMaxMs: e.BROADCAST_STEP_MAX_MS,
      produceChunk: e.BROADCAST_PRODUCE_CHUNK,
      partitionConcurrency: e.BROADCAST_PARTITION_CONCURRENCY,
      retryBaseMs: e.BROADCAST_RETRY_BASE_MS,
      retryMaxMs: e.BROADCAST_RETRY_MAX_MS,
      statusTtlMs: e.BROADCAST_STATUS_TTL,
      draftTtlMs: e.ANNOUNCEMENT_DRAFT_TTL,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      pageSize: e.GRAPHQL_PAGE_SIZE,
    } satisfies FanoutConfig,
    health: { port: e.HEALTH_PORT, host: e.HEALTH_HOST },
  }));

export type BroadcasterConfig = z.output<typeof broadcasterEnvSchema>;

export const loadBroadcasterConfig = (env: NodeJS.ProcessEnv = process.env): BroadcasterConfig => parseEnv(broadcasterEnvSchema, env);

export const fanoutConfig = configNamespace<FanoutConfig>('fanout');
export const broadcasterHealthConfig = configNamespace<BroadcasterConfig['health']>('health');

/** The sections Nest modules inject (tracing is read by main.ts before Nest starts). */
export const broadcasterConfigNamespaces = [
  runtimeConfig,
  kafkaConfig,
  redisConfig,
  gatewayConfig,
  encryptionConfig,
  fanoutConfig,
  broadcasterHealthConfig,
];
