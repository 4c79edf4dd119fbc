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
import { encryptionConfig, encryptionConfigFrom, encryptionEnv } from '@app/shared/config/encryption.env.js';
import { parseEnv } from '@app/shared/config/env.js';
import { gatewayConfig, gatewayConfigFrom, gatewayEnv } from '@app/shared/config/gateway.env.js';
import { localizationConfig, localizationConfigFrom, localizationEnv } from '@app/shared/config/localization.env.js';
import { tracingConfigFrom, tracingEnv } from '@app/shared/config/tracing.env.js';
import { httpConfig, httpConfigFrom, httpEnv } from '../http/http.config.js';
import { stripeConfig, stripeConfigFrom, stripeEnv } from '@app/stripe-sync';
import { checkTwilioKeywords, twilioConfigFrom, twilioEnv, twilioWebhookConfig } from '../twilio/twilio.env.js';

/** Every variable the webhooks service reads, validated together at start-up. */
export const webhooksEnv = {
  ...runtimeEnv,
  ...httpEnv,
  ...kafkaEnv,
  ...redisEnv,
  ...stripeEnv,
  ...twilioEnv,
  ...gatewayEnv,
  ...localizationEnv,
  ...encryptionEnv,
  ...tracingEnv,
};

export const webhooksEnvSchema = z
  .object(webhooksEnv)
  .superRefine(checkTwilioKeywords)
  .transform((e) => ({
    runtime: runtimeConfigFrom(e),
    kafka: kafkaConfigFrom(e, 'webhooks'),
    redis: redisConfigFrom(e),
    http: httpConfigFrom(e),
    stripe: stripeConfigFrom(e),
    // The broadcast pages by the gateway's page size (GRAPHQL_PAGE_SIZE, at most the gateway's 50).
    twilio: { ...twilioConfigFrom(e), pageSize: gatewayConfigFrom(e).pageSize },
    gateway: gatewayConfigFrom(e),
    localization: localizationConfigFrom(e),
    encryption: encryptionConfigFrom(e),
    tracing: tracingConfigFrom(e, 'webhooks'),
  }));

export type WebhooksConfig = z.output<typeof webhooksEnvSchema>;

export const loadWebhooksConfig = (): WebhooksConfig => parseEnv(webhooksEnvSchema);

/** The sections Nest modules inject (tracing is read by main.ts before Nest starts). */
export const webhooksConfigNamespaces = [
  runtimeConfig,
  kafkaConfig,
  redisConfig,
  httpConfig,
  stripeConfig,
  twilioWebhookConfig,
  gatewayConfig,
  localizationConfig,
  encryptionConfig,
];
