import { z } from 'zod';
import {
  redisConfigFrom,
  redisEnv,
  runtimeConfigFrom,
  runtimeEnv,
  serviceConfigFrom,
  serviceEnv,
  type RedisConfig,
  type RuntimeConfig,
  type ServiceConfig,
} from '@app/shared/config/common.env.js';
import { optionalString, parseEnv, positiveInt, stringOr } from '@app/shared/config/env.js';
import { gatewayConfigFrom, gatewayEnv, type GatewayConfig } from '@app/shared/config/gateway.env.js';
import { webhookEndpointsEnv } from '@app/shared/config/webhook-endpoints.env.js';
import { stripeConfigFrom, stripeEnv, type StripeConfig } from '@app/stripe-sync';

/** What the CLI reads its settings from; `process.env` in production, a plain object in tests. */
export type CliEnv = Record<string, string | undefined>;

/** How long a replay is remembered (so the same dead letter is not republished by accident). */
export const DEFAULT_REPLAY_RECORD_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The CLI logs to stderr and is quiet by default: warnings and errors only. */
const cliRuntime = (env: CliEnv): CliEnv => ({ ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' });

// ---- dlq ----

export const dlqEnv = {
  ...serviceEnv,
  DLQ_REPLAY_RECORD_TTL: positiveInt(DEFAULT_REPLAY_RECORD_TTL_SECONDS).meta({
    description: 'cli: seconds a dead-letter replay is remembered in Redis (replaying the same id again needs --force meanwhile)',
  }),
};

export interface DlqConfig extends ServiceConfig {
  replayRecordTtlSeconds: number;
}

const dlqEnvSchema = z.object(dlqEnv).transform((e): DlqConfig => {
  const service = serviceConfigFrom(e, 'nudges-cli');
  // The CLI never creates topics: a missing dead-letter topic is reported, not created empty.
  return { ...service, kafka: { ...service.kafka, createTopics: false }, replayRecordTtlSeconds: e.DLQ_REPLAY_RECORD_TTL };
});

export const loadDlqConfig = (env: CliEnv = process.env): DlqConfig => parseEnv(dlqEnvSchema, cliRuntime(env));

// ---- broadcast ----

export const broadcastEnv = { ...runtimeEnv, ...redisEnv };

export interface BroadcastCliConfig {
  runtime: RuntimeConfig;
  redis: RedisConfig;
}

const broadcastEnvSchema = z
  .object(broadcastEnv)
  .transform((e): BroadcastCliConfig => ({ runtime: runtimeConfigFrom(e), redis: redisConfigFrom(e) }));

export const loadBroadcastConfig = (env: CliEnv = process.env): BroadcastCliConfig => parseEnv(broadcastEnvSchema, cliRuntime(env));

// ---- Stripe processing (reconcile, replay of Stripe dead letters) ----

/** The same variables the webhooks service reads for its Stripe flow. */
export const stripeProcessingEnv = { ...serviceEnv, ...stripeEnv, ...gatewayEnv };

export interface StripeProcessingConfig extends ServiceConfig {
  stripe: StripeConfig;
  gateway: GatewayConfig;
}

const stripeProcessingEnvSchema = z.object(stripeProcessingEnv).transform((e): StripeProcessingConfig => ({
  ...serviceConfigFrom(e, 'nudges-cli'),
  stripe: stripeConfigFrom(e),
  gateway: gatewayConfigFrom(e),
}));

export const loadStripeProcessingConfig = (env: CliEnv = process.env): StripeProcessingConfig =>
  parseEnv(stripeProcessingEnvSchema, cliRuntime(env));

// ---- simulate ----

const webhooksUrl = () =>
  stringOr('http://127.0.0.1:5000')
    .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'must be an absolute http(s) URL')
    .transform((v) => v.replace(/\/+$/, ''));

export const simulateEnv = {
  WEBHOOKS_URL: webhooksUrl().meta({ description: 'cli: base URL of a running webhooks service that `simulate` posts to' }),
  WEBHOOKS_API_KEY: webhookEndpointsEnv.WEBHOOKS_API_KEY,
};

export const simulateStripeEnv = { ...simulateEnv, STRIPE_WEBHOOKS_SECRET: stripeEnv.STRIPE_WEBHOOKS_SECRET };

export const simulateSmsEnv = {
  ...simulateEnv,
  TWILIO_AUTH_TOKEN: webhookEndpointsEnv.TWILIO_AUTH_TOKEN,
  TWILIO_ACCOUNT_SID: optionalString().meta({ description: 'Twilio account SID (AC...); `simulate sms` sends it as AccountSid' }),
  TWILIO_WEBHOOK_PUBLIC_URL: webhookEndpointsEnv.TWILIO_WEBHOOK_PUBLIC_URL,
};

export interface SimulateConfig {
  webhooksUrl: string;
  apiKey: string;
  stripeWebhooksSecret?: string;
  twilioAuthToken?: string;
  twilioAccountSid: string;
  /** The public base URL Twilio signs, as the webhooks service rebuilds it (no trailing slash). */
  twilioPublicUrl?: string;
}

const PLACEHOLDER_ACCOUNT_SID = 'AC00000000000000000000000000000000';

export const loadSimulateStripeConfig = (env: CliEnv = process.env): SimulateConfig => {
  const e = parseEnv(z.object(simulateStripeEnv), env);
  return {
    webhooksUrl: e.WEBHOOKS_URL,
    apiKey: e.WEBHOOKS_API_KEY,
    stripeWebhooksSecret: e.STRIPE_WEBHOOKS_SECRET,
    twilioAccountSid: PLACEHOLDER_ACCOUNT_SID,
  };
};

export const loadSimulateSmsConfig = (env: CliEnv = process.env): SimulateConfig => {
  const e = parseEnv(z.object(simulateSmsEnv), env);
  return {
    webhooksUrl: e.WEBHOOKS_URL,
    apiKey: e.WEBHOOKS_API_KEY,
    twilioAuthToken: e.TWILIO_AUTH_TOKEN,
    twilioAccountSid: e.TWILIO_ACCOUNT_SID ?? PLACEHOLDER_ACCOUNT_SID,
    ...(e.TWILIO_WEBHOOK_PUBLIC_URL ? { twilioPublicUrl: e.TWILIO_WEBHOOK_PUBLIC_URL.replace(/\/+$/, '') } : {}),
  };
};

/**
 * Every variable any CLI command may read, for the configuration reference. Each command validates
 * only its own subset (`dlq` needs Kafka and Redis, `simulate` only the webhooks URL and secrets).
 */
export const cliEnvSchema = z.object({ ...dlqEnv, ...stripeProcessingEnv, ...simulateStripeEnv, ...simulateSmsEnv });

/** Log settings of the CLI itself (stderr, `warn` unless LOG_LEVEL says otherwise). */
export const loadCliRuntime = (env: CliEnv = process.env): RuntimeConfig =>
  parseEnv(z.object(runtimeEnv).transform(runtimeConfigFrom), cliRuntime(env));
