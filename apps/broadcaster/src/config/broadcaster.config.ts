import { z } from 'zod';
import { workerConfigFrom, workerConfigNamespaces, workerEnv } from '@app/shared/config/common.env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';
import { duration } from '@app/shared/config/duration.js';
import { encryptionConfig, encryptionConfigFrom, encryptionEnv } from '@app/shared/config/encryption.env.js';
import { parseEnv, positiveInt, stringOr } from '@app/shared/config/env.js';
import { gatewayConfig, gatewayConfigFrom, gatewayEnv } from '@app/shared/config/gateway.env.js';
import { tracingConfig, tracingConfigFrom, tracingEnv } from '@app/shared/config/tracing.env.js';

/** Variables of the broadcaster itself (the shared ones come from libs/shared/src/config). */
export const broadcasterEnv = {
  BROADCAST_CONSUMER_GROUP: stringOr('broadcast-fanout').meta({
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
  .object({ ...workerEnv(8082), ...gatewayEnv, ...encryptionEnv, ...tracingEnv, ...broadcasterEnv })
  .transform((e) => ({
    ...workerConfigFrom(e, 'broadcaster'),
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
  }));

export type BroadcasterConfig = z.output<typeof broadcasterEnvSchema>;

export const loadBroadcasterConfig = (env: NodeJS.ProcessEnv = process.env): BroadcasterConfig => parseEnv(broadcasterEnvSchema, env);

export const fanoutConfig = configNamespace<FanoutConfig>('fanout');

/** The sections Nest modules inject (tracing is also read by main.ts before Nest starts). */
export const broadcasterConfigNamespaces = [...workerConfigNamespaces, gatewayConfig, encryptionConfig, fanoutConfig, tracingConfig];
