import { z } from 'zod';
import { workerConfigFrom, workerConfigNamespaces, workerEnv } from '@app/shared/config/common.env.js';
import { encryptionConfig, encryptionConfigFrom, encryptionEnv } from '@app/shared/config/encryption.env.js';
import {
  blankToUndefined,
  bool,
  nonNegativeInt,
  oneOf,
  optionalHttpUrl,
  optionalPositiveNumber,
  optionalString,
  parseEnv,
  positiveInt,
  stringOr,
} from '@app/shared/config/env.js';
import { localizationConfig, localizationConfigFrom, localizationEnv } from '@app/shared/config/localization.env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';
import type { BatchConsumerSettings } from '@app/shared/kafka/batch-consumer.js';
import { refusePlaintextCredentials } from '@app/shared/config/production.env.js';
import { tracingConfigFrom, tracingEnv } from '@app/shared/config/tracing.env.js';

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

/** Twilio's limits for StatusCallback: a full http(s) URL, at most 4000 characters, no underscore in the host name. */
const statusCallbackUrl = () =>
  optionalHttpUrl()
    .refine((v) => v === undefined || v.length <= 4000, 'must be at most 4000 characters (Twilio’s limit)')
    .refine(
      (v) => v === undefined || !URL.canParse(v) || !new URL(v).hostname.includes('_'),
      'must have a host name without underscores (Twilio refuses them)',
    );

/** Variables of the notifier itself (the shared ones come from libs/shared/src/config). */
export const notifierEnv = {
  NOTIFIER: z
    .preprocess(blankToUndefined, z.enum(['local', 'twilio'], { error: 'must be local or twilio' }).optional())
    .meta({ description: 'local (log the SMS) or twilio; default local when NODE_ENV=development, twilio otherwise' }),
  KAFKA_CONSUMER_GROUP: stringOr('notifications-listeners').meta({
    description:
      'consumer group of the notifier processes; the default is the C# notifications handler’s group, so a notifier that takes over continues at its committed offsets',
  }),
  KAFKA_AUTO_OFFSET_RESET: oneOf(['earliest', 'latest'], 'earliest').meta({
    description: 'where a consumer group without committed offsets starts reading',
  }),
  KAFKA_REBALANCE_TIMEOUT_MS: positiveInt(30000).meta({
    description: 'how long a rebalance waits for members to finish their batch and rejoin',
  }),
  KAFKA_HEARTBEAT_INTERVAL_MS: positiveInt(3000).meta({ description: 'consumer heartbeat interval (also during retry waits)' }),
  NOTIFIER_PARTITION_CONCURRENCY: positiveInt(6).meta({ description: 'partitions processed at the same time by one process' }),
  NOTIFIER_MESSAGE_CONCURRENCY: positiveInt(16).meta({ description: 'messages of one partition batch processed at the same time' }),
  NOTIFIER_COMMIT_INTERVAL_MS: positiveInt(1000).meta({ description: 'how often finished offsets are committed while a batch runs' }),
  NOTIFIER_MAX_ATTEMPTS: positiveInt(5).meta({ description: 'attempts per message for transient failures before it is dead-lettered' }),
  NOTIFIER_RETRY_BASE_MS: positiveInt(250).meta({ description: 'first retry delay; doubles per attempt, with full jitter' }),
  NOTIFIER_RETRY_MAX_MS: positiveInt(30000).meta({ description: 'largest retry delay (a longer Retry-After is still honoured)' }),
  NOTIFIER_BREAKER_THRESHOLD: positiveInt(5).meta({ description: 'consecutive transient failures that open a dependency circuit breaker' }),
  NOTIFIER_BREAKER_COOLDOWN_MS: positiveInt(5000).meta({
    description: 'how long an open circuit breaker waits before letting one probe call through',
  }),
  NOTIFIER_CLAIM_LEASE_MS: positiveInt(30000).meta({
    description: 'lease of the in-flight claim on a message; after a crash another process recovers the message once it expires',
  }),
  NOTIFIER_AMBIGUOUS_SETTLE_MS: positiveInt(10000).meta({
    description:
      'after a send with an unknown outcome (timeout, connection lost after the request was written), wait this long before looking in the provider log and sending again; the claim is held meanwhile',
  }),
  NOTIFIER_MAX_AGE_MINUTES: positiveInt(1440).meta({
    description: 'a SendSms older than this (by its Kafka timestamp) is not sent: counted as stale and logged',
  }),
  NOTIFIER_ONE_TIME_CODE_MAX_AGE_MINUTES: positiveInt(10).meta({
    description: 'the same limit for one-time codes (the resource keys in NOTIFIER_ONE_TIME_CODE_KEYS)',
  }),
  NOTIFIER_ONE_TIME_CODE_KEYS: stringOr('SendOtp')
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    )
    .meta({ description: 'comma-separated resource keys whose SMS carry a one-time code' }),
  NOTIFIER_DEDUPE_TTL_HOURS: positiveInt(168).meta({
    description: 'how long a delivered message is remembered (must exceed Kafka retention)',
  }),
  NOTIFIER_SHUTDOWN_GRACE_MS: positiveInt(8000).meta({ description: 'time in-flight work gets on SIGTERM before it is abandoned' }),
  NOTIFIER_STATS_INTERVAL_MS: nonNegativeInt(30000).meta({ description: 'interval of the summary log line (0 disables it)' }),
  TWILIO_ACCOUNT_SID: optionalString()
    .refine((v) => v === undefined || ACCOUNT_SID.test(v), 'must be AC followed by 32 hex digits')
    .meta({ description: 'Twilio account SID (required when NOTIFIER=twilio)' }),
  TWILIO_AUTH_TOKEN: optionalString().meta({ description: 'Twilio auth token (required when NOTIFIER=twilio)', sensitive: true }),
  TWILIO_MESSAGE_SERVICE_SID: optionalString()
    .refine((v) => v === undefined || MESSAGING_SERVICE_SID.test(v), 'must be MG followed by 32 hex digits')
    .meta({ description: 'Twilio Messaging Service the SMS are sent from (required when NOTIFIER=twilio)' }),
  TWILIO_API_URL: optionalHttpUrl().meta({ description: 'another Twilio API host (tests, staging); unset = https://api.twilio.com' }),
  TWILIO_MAX_MPS: optionalPositiveNumber().meta({
    description: 'most SMS per second this process sends (all partitions together); unset = unlimited',
  }),
  TWILIO_TIMEOUT_MS: positiveInt(5000).meta({ description: 'timeout of one Twilio API request' }),
  TWILIO_MAX_SOCKETS: positiveInt(64).meta({ description: 'keep-alive connections to the Twilio API' }),
  TWILIO_STATUS_CALLBACK_URL: statusCallbackUrl().meta({
    description:
      'Twilio posts each message’s delivery receipts here (StatusCallback): the webhooks service’s https://<host>/api/TwilioStatusCallback?code=<WEBHOOKS_API_KEY>; unset = no receipts',
    sensitive: true,
  }),
  TWILIO_VALIDITY_PERIOD_SECONDS: z
    .preprocess(
      blankToUndefined,
      z.coerce
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(1, 'must be between 1 and 36000 (Twilio’s range)')
        .max(36000, 'must be between 1 and 36000 (Twilio’s range)')
        .optional(),
    )
    .meta({
      description:
        'ValidityPeriod of every message: seconds it may wait in Twilio’s queue before Twilio gives it up (failed, 30036); unset = the Messaging Service’s (default 36000)',
    }),
  TWILIO_RECONCILE: bool(true).meta({
    description: 'before re-sending a message whose earlier attempt may have reached Twilio, look it up in Twilio’s message log',
  }),
};

export type NotifierKind = 'local' | 'twilio';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  messagingServiceSid: string;
  apiUrl?: string;
  timeoutMs: number;
  maxSockets: number;
  reconcile: boolean;
  /** StatusCallback of every message (the broadcast id is added as `broadcast=`); undefined: no receipts. */
  statusCallbackUrl?: string;
  /** ValidityPeriod of every message, in seconds; undefined: the Messaging Service's. */
  validityPeriodSeconds?: number;
}

/** The consumer group's settings (BatchConsumer's) and the notifier's own per-batch ones. */
export interface ConsumerConfig extends BatchConsumerSettings {
  messageConcurrency: number;
  commitIntervalMs: number;
}

export interface DeliveryConfig {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  claimLeaseMs: number;
  /** Wait after an ambiguous send before its message is looked up and sent again. */
  ambiguousSettleMs: number;
  dedupeTtlMs: number;
  /** A SendSms older than this is stale: not sent. */
  maxAgeMs: number;
  oneTimeCodeMaxAgeMs: number;
  oneTimeCodeKeys: ReadonlySet<string>;
  maxMessagesPerSecond?: number;
  shutdownGraceMs: number;
  statsIntervalMs: number;
  /** One debug line per delivered SMS (LOG_LEVEL=debug or trace); skipped entirely otherwise. */
  logEachDelivery: boolean;
}

const TWILIO_REQUIRED = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_MESSAGE_SERVICE_SID'] as const;

export const notifierEnvSchema = z
  .object({ ...workerEnv(8081), ...localizationEnv, ...encryptionEnv, ...tracingEnv, ...notifierEnv })
  .superRefine(
    (e, ctx) => {
      if (notifierKind(e) !== 'twilio') return;
      for (const name of TWILIO_REQUIRED) {
        if (e[name] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required when NOTIFIER=twilio (set NOTIFIER=local to log SMS instead)',
          });
        }
      }
      // Also when other variables are invalid, so one run reports every problem.
    },
    { when: () => true },
  )
  .superRefine((e, ctx) => {
    // NODE_ENV=production refuses credentials in clear text (docs/configuration.md#production).
    if (e.NODE_ENV !== 'production') return;
    refusePlaintextCredentials(ctx, [
      { variable: 'TWILIO_API_URL', url: notifierKind(e) === 'twilio' ? e.TWILIO_API_URL : undefined, carries: 'the Twilio auth token' },
      { variable: 'REDIS_URL', url: e.REDIS_URL, carries: 'the Redis password' },
      { variable: 'TWILIO_STATUS_CALLBACK_URL', url: e.TWILIO_STATUS_CALLBACK_URL, carries: 'the webhooks API key (?code=) to Twilio' },
    ]);
  })
  .transform((e) => ({
    ...workerConfigFrom(e, 'notifier'),
    localization: localizationConfigFrom(e),
    encryption: encryptionConfigFrom(e),
    notifier: notifierKind(e),
    consumer: {
      groupId: e.KAFKA_CONSUMER_GROUP,
      fromBeginning: e.KAFKA_AUTO_OFFSET_RESET === 'earliest',
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: e.KAFKA_REBALANCE_TIMEOUT_MS,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL_MS,
      partitionConcurrency: e.NOTIFIER_PARTITION_CONCURRENCY,
      messageConcurrency: e.NOTIFIER_MESSAGE_CONCURRENCY,
      commitIntervalMs: e.NOTIFIER_COMMIT_INTERVAL_MS,
    } satisfies ConsumerConfig,
    delivery: {
      maxAttempts: e.NOTIFIER_MAX_ATTEMPTS,
      retryBaseMs: e.NOTIFIER_RETRY_BASE_MS,
      retryMaxMs: e.NOTIFIER_RETRY_MAX_MS,
      breakerThreshold: e.NOTIFIER_BREAKER_THRESHOLD,
      breakerCooldownMs: e.NOTIFIER_BREAKER_COOLDOWN_MS,
      claimLeaseMs: e.NOTIFIER_CLAIM_LEASE_MS,
      ambiguousSettleMs: e.NOTIFIER_AMBIGUOUS_SETTLE_MS,
      dedupeTtlMs: e.NOTIFIER_DEDUPE_TTL_HOURS * 3_600_000,
      maxAgeMs: e.NOTIFIER_MAX_AGE_MINUTES * 60_000,
      oneTimeCodeMaxAgeMs: e.NOTIFIER_ONE_TIME_CODE_MAX_AGE_MINUTES * 60_000,
      oneTimeCodeKeys: new Set(e.NOTIFIER_ONE_TIME_CODE_KEYS),
      ...(e.TWILIO_MAX_MPS === undefined ? {} : { maxMessagesPerSecond: e.TWILIO_MAX_MPS }),
      shutdownGraceMs: e.NOTIFIER_SHUTDOWN_GRACE_MS,
      statsIntervalMs: e.NOTIFIER_STATS_INTERVAL_MS,
      logEachDelivery: e.LOG_LEVEL === 'debug' || e.LOG_LEVEL === 'trace',
    } satisfies DeliveryConfig,
    twilio: twilioConfig(e),
    tracing: tracingConfigFrom(e, 'notifier'),
  }));

export type NotifierConfig = z.output<typeof notifierEnvSchema>;

/** Validates the environment; throws ConfigValidationError with one line per bad variable. */
export const loadNotifierConfig = (env: NodeJS.ProcessEnv = process.env): NotifierConfig => parseEnv(notifierEnvSchema, env);

export const notifierKindConfig = configNamespace<NotifierKind>('notifier');
export const consumerConfig = configNamespace<ConsumerConfig>('consumer');
export const deliveryConfig = configNamespace<DeliveryConfig>('delivery');
/** Undefined when NOTIFIER=local and the Twilio variables are not all set. */
export const twilioApiConfig = configNamespace<TwilioConfig | undefined>('twilio');

/** The sections Nest modules and notifier.app.ts inject (tracing is read by main.ts before Nest starts). */
export const notifierConfigNamespaces = [
  ...workerConfigNamespaces,
  localizationConfig,
  encryptionConfig,
  notifierKindConfig,
  consumerConfig,
  deliveryConfig,
  twilioApiConfig,
];

function notifierKind(e: { NOTIFIER?: NotifierKind | undefined; NODE_ENV: string }): NotifierKind {
  return e.NOTIFIER ?? (e.NODE_ENV === 'development' ? 'local' : 'twilio');
}

function twilioConfig(e: {
  TWILIO_ACCOUNT_SID?: string | undefined;
  TWILIO_AUTH_TOKEN?: string | undefined;
  TWILIO_MESSAGE_SERVICE_SID?: string | undefined;
  TWILIO_API_URL?: string | undefined;
  TWILIO_TIMEOUT_MS: number;
  TWILIO_MAX_SOCKETS: number;
  TWILIO_RECONCILE: boolean;
  TWILIO_STATUS_CALLBACK_URL?: string | undefined;
  TWILIO_VALIDITY_PERIOD_SECONDS?: number | undefined;
}): TwilioConfig | undefined {
  if (!e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN || !e.TWILIO_MESSAGE_SERVICE_SID) return undefined;
  return {
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    messagingServiceSid: e.TWILIO_MESSAGE_SERVICE_SID,
    ...(e.TWILIO_API_URL === undefined ? {} : { apiUrl: e.TWILIO_API_URL.replace(/\/+$/, '') }),
    timeoutMs: e.TWILIO_TIMEOUT_MS,
    maxSockets: e.TWILIO_MAX_SOCKETS,
    reconcile: e.TWILIO_RECONCILE,
    ...(e.TWILIO_STATUS_CALLBACK_URL === undefined ? {} : { statusCallbackUrl: e.TWILIO_STATUS_CALLBACK_URL }),
    ...(e.TWILIO_VALIDITY_PERIOD_SECONDS === undefined ? {} : { validityPeriodSeconds: e.TWILIO_VALIDITY_PERIOD_SECONDS }),
  };
}
