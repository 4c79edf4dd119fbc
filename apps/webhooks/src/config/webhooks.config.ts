import { z } from 'zod';
import { kafkaConfigFrom, kafkaEnv, redisConfigFrom, redisEnv, runtimeConfigFrom, runtimeEnv } from '@app/shared/config/common.env.js';
import { parseEnv } from '@app/shared/config/env.js';
import { httpConfigFrom, httpEnv } from '../http/http.config.js';
import { stripeConfigFrom, stripeEnv } from '../stripe/stripe.env.js';
import { twilioConfigFrom, twilioEnv } from '../twilio/twilio.env.js';

/** Every variable the webhooks service reads, validated together at start-up. */
export const webhooksEnvSchema = z
  .object({ ...runtimeEnv, ...kafkaEnv, ...redisEnv, ...httpEnv, ...stripeEnv, ...twilioEnv })
  .transform((e) => ({
    runtime: runtimeConfigFrom(e),
    kafka: kafkaConfigFrom(e, 'webhooks'),
    redis: redisConfigFrom(e),
    http: httpConfigFrom(e),
    stripe: stripeConfigFrom(e),
    twilio: twilioConfigFrom(e),
  }));

export type WebhooksConfig = z.output<typeof webhooksEnvSchema>;

export const loadWebhooksConfig = (): WebhooksConfig => parseEnv(webhooksEnvSchema);
