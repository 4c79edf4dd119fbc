import { z } from 'zod';
import { kafkaConfigFrom, kafkaEnv, redisConfigFrom, redisEnv, runtimeConfigFrom, runtimeEnv } from '@app/shared/config/common.env.js';
import { encryptionConfigFrom, encryptionEnv } from '@app/shared/config/encryption.env.js';
import { parseEnv } from '@app/shared/config/env.js';
import { gatewayConfigFrom, gatewayEnv } from '@app/shared/config/gateway.env.js';
import { localizationConfigFrom, localizationEnv } from '@app/shared/config/localization.env.js';
import { tracingConfigFrom, tracingEnv } from '@app/shared/config/tracing.env.js';
import { httpConfigFrom, httpEnv } from '../http/http.config.js';
import { stripeConfigFrom, stripeEnv } from '@app/stripe-sync';
import { twilioConfigFrom, twilioEnv } from '../twilio/twilio.env.js';

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

export const webhooksEnvSchema = z.object(webhooksEnv).transform((e) => ({
  runtime: runtimeConfigFrom(e),
  kafka: kafkaConfigFrom(e, 'webhooks'),
  redis: redisConfigFrom(e),
  http: httpConfigFrom(e),
  stripe: stripeConfigFrom(e),
  twilio: twilioConfigFrom(e),
  gateway: gatewayConfigFrom(e),
  localization: localizationConfigFrom(e),
  encryption: encryptionConfigFrom(e),
  tracing: tracingConfigFrom(e, 'webhooks'),
}));

export type WebhooksConfig = z.output<typeof webhooksEnvSchema>;

export const loadWebhooksConfig = (): WebhooksConfig => parseEnv(webhooksEnvSchema);
