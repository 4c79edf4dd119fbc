import { z } from 'zod';
import { bool, brokerList, listenHost, optionalString, port, positiveInt } from './env.js';
import { configNamespace } from './app-config.module.js';

/**
 * Environment fields every app shares. Each field carries `meta({ description })`; fields holding
 * secrets carry `sensitive: true` so documentation and diagnostics never print their values.
 */
export const runtimeEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production').meta({
    description: 'development selects LocalNotifier and pretty logs; anything else is production-like',
  }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').meta({
    description: 'pino log level',
  }),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional().meta({
    description: 'json (default) or pretty (default when NODE_ENV=development)',
  }),
  // Deployed with Nudges but not used by this project (see docs/contract.md).
  AUTH_API_URL: optionalString().meta({ description: 'accepted for compatibility with Nudges deployments; unused' }),
  WarpCache__Url: optionalString().meta({ description: 'accepted for compatibility with Nudges deployments; unused' }),
};

export interface RuntimeConfig {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  logFormat: 'json' | 'pretty';
}

export function runtimeConfigFrom(e: z.output<z.ZodObject<typeof runtimeEnv>>): RuntimeConfig {
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
  };
}

const topic = (fallback: string, what: string) =>
  z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a valid Kafka topic name')
    .default(fallback)
    .meta({ description: `Kafka topic for ${what}` });

export const kafkaEnv = {
  Kafka__BrokerList: brokerList().meta({ description: 'Kafka bootstrap brokers, host:port[,host:port]' }),
  KAFKA_CLIENT_ID: optionalString().meta({ description: 'Kafka client id (default: the app name)' }),
  KAFKA_CREATE_TOPICS: bool(true).meta({ description: 'create missing topics at start-up' }),
  KAFKA_TOPIC_PARTITIONS: positiveInt(6).meta({ description: 'partitions for topics created at start-up' }),
  KAFKA_TOPIC_REPLICATION: positiveInt(1).meta({ description: 'replication factor for topics created at start-up' }),
  KAFKA_TOPIC_NOTIFICATIONS: topic('notifications', 'SMS notifications'),
  KAFKA_TOPIC_PAYMENTS: topic('payments', 'payment confirmations'),
  KAFKA_TOPIC_FOREIGN_PRODUCTS: topic('foreign-products', 'Stripe product sync events'),
  KAFKA_TOPIC_DEADLETTER: topic('deadletter', 'messages that could not be processed'),
  KAFKA_TOPIC_BROADCASTS: topic('broadcasts', 'announcement broadcasts (requests and fan-out progress)'),
};

export interface KafkaTopics {
  notifications: string;
  payments: string;
  foreignProducts: string;
  deadletter: string;
  broadcasts: string;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  createTopics: boolean;
  partitions: number;
  replicationFactor: number;
  topics: KafkaTopics;
}

export function kafkaConfigFrom(e: z.output<z.ZodObject<typeof kafkaEnv>>, appName: string): KafkaConfig {
  return {
    brokers: e.Kafka__BrokerList,
    clientId: e.KAFKA_CLIENT_ID ?? appName,
    createTopics: e.KAFKA_CREATE_TOPICS,
    partitions: e.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: e.KAFKA_TOPIC_REPLICATION,
    topics: {
      notifications: e.KAFKA_TOPIC_NOTIFICATIONS,
      payments: e.KAFKA_TOPIC_PAYMENTS,
      foreignProducts: e.KAFKA_TOPIC_FOREIGN_PRODUCTS,
      deadletter: e.KAFKA_TOPIC_DEADLETTER,
      broadcasts: e.KAFKA_TOPIC_BROADCASTS,
    },
  };
}

/** `REDIS_URL` as Nudges deploys it (`host:port`) or as a full `redis://` / `rediss://` URL. */
const redisUrl = () =>
  z
    .string({ error: 'is required but not set' })
    .trim()
    .min(1, 'is required but not set')
    .transform((v) => (/^rediss?:\/\//.test(v) ? v : `redis://${v}`))
    .refine((v) => URL.canParse(v) && new URL(v).hostname !== '', 'must be host:port or a redis:// URL');

export const redisEnv = {
  REDIS_URL: redisUrl().meta({ description: 'Redis, host:port or redis://[user:password@]host:port[/db]', sensitive: true }),
  REDIS_KEY_PREFIX: z.string().default('').meta({ description: 'prefix for every Redis key (isolates environments)' }),
};

export interface RedisConfig {
  url: string;
  keyPrefix: string;
}

export function redisConfigFrom(e: z.output<z.ZodObject<typeof redisEnv>>): RedisConfig {
  return { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX };
}

export const runtimeConfig = configNamespace<RuntimeConfig>('runtime');
export const kafkaConfig = configNamespace<KafkaConfig>('kafka');
export const redisConfig = configNamespace<RedisConfig>('redis');

/** The sections every long-running app has: runtime, Kafka and Redis. */
export const serviceEnv = { ...runtimeEnv, ...kafkaEnv, ...redisEnv };

type ServiceEnv = z.output<z.ZodObject<typeof serviceEnv>>;

export interface ServiceConfig {
  runtime: RuntimeConfig;
  kafka: KafkaConfig;
  redis: RedisConfig;
}

export function serviceConfigFrom(e: ServiceEnv, appName: string): ServiceConfig {
  return { runtime: runtimeConfigFrom(e), kafka: kafkaConfigFrom(e, appName), redis: redisConfigFrom(e) };
}

export const serviceConfigNamespaces = [runtimeConfig, kafkaConfig, redisConfig];

/** Settings of an app that consumes in a Kafka group (notifier, broadcaster). */
export const consumerEnv = {
  KAFKA_SESSION_TIMEOUT_MS: positiveInt(30000).meta({
    description: 'consumer session timeout; a killed process loses its partitions after this',
  }),
};

/** The internal port of an app without a public one (notifier, broadcaster). */
export const healthEnv = (defaultPort: number) => ({
  HEALTH_PORT: port(defaultPort).meta({ description: 'port of GET /health, /health/ready and /metrics (0 = any free port)' }),
  HEALTH_HOST: listenHost().meta({ description: 'interface of the health port' }),
});

export interface HealthConfig {
  port: number;
  host: string;
}

export function healthConfigFrom(e: { HEALTH_PORT: number; HEALTH_HOST: string }): HealthConfig {
  return { port: e.HEALTH_PORT, host: e.HEALTH_HOST };
}

export const healthConfig = configNamespace<HealthConfig>('health');

/** A worker (notifier, broadcaster): a service that consumes in a Kafka group and serves only its health port. */
export const workerEnv = (defaultHealthPort: number) => ({ ...serviceEnv, ...consumerEnv, ...healthEnv(defaultHealthPort) });

export function workerConfigFrom(e: ServiceEnv & { HEALTH_PORT: number; HEALTH_HOST: string }, appName: string) {
  return { ...serviceConfigFrom(e, appName), health: healthConfigFrom(e) };
}

export const workerConfigNamespaces = [...serviceConfigNamespaces, healthConfig];
