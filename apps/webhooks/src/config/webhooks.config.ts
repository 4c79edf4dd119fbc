import { z } from 'zod';
import { serviceConfigFrom, serviceConfigNamespaces, serviceEnv } from '@app/shared/config/common.env.js';
import { encryptionConfig, encryptionConfigFrom, encryptionEnv } from '@app/shared/config/encryption.env.js';
import { parseEnv } from '@app/shared/config/env.js';
import { refuseInProduction, refusePlaintextCredentials } from '@app/shared/config/production.env.js';
import { gatewayConfig, gatewayConfigFrom, gatewayEnv } from '@app/shared/config/gateway.env.js';
import { localizationConfig, localizationConfigFrom, localizationEnv } from '@app/shared/config/localization.env.js';
import { tracingConfigFrom, tracingEnv } from '@app/shared/config/tracing.env.js';
import { checkHttpEnv, httpConfig, httpConfigFrom, httpEnv } from '../http/http.env.js';
import { stripeConfig, stripeConfigFrom, stripeEnv } from '@app/stripe-sync';
import { checkTwilioKeywords, twilioConfigFrom, twilioEnv, twilioWebhookConfig } from '../twilio/twilio.env.js';

/** Every variable the webhooks service reads, validated together at start-up. */
export const webhooksEnv = {
  ...serviceEnv,
  ...httpEnv,
  ...stripeEnv,
  ...twilioEnv,
  ...gatewayEnv,
  ...localizationEnv,
  ...encryptionEnv,
  ...tracingEnv,
};

type WebhooksEnv = z.output<z.ZodObject<typeof webhooksEnv>>;

/**
 * What NODE_ENV=production refuses (docs/configuration.md#production): a credential sent in clear
 * text (the gateway's bearer token, the OIDC client secret, the Stripe API key, the ?code= key in
 * the URL Twilio calls, a Redis password), and Twilio signature validation switched off.
 */
function refuseUnsafeProduction(e: WebhooksEnv, ctx: z.RefinementCtx): void {
  if (e.NODE_ENV !== 'production') return;
  refusePlaintextCredentials(ctx, [
    { variable: 'GRAPHQL_API_URL', url: e.GRAPHQL_API_URL, carries: 'the gateway access token' },
    { variable: 'Oidc__ServerUrl', url: e.Oidc__ServerUrl, carries: 'the OIDC client secret' },
    { variable: 'STRIPE_API_URL', url: e.STRIPE_API_URL, carries: 'the Stripe API key' },
    { variable: 'TWILIO_WEBHOOK_PUBLIC_URL', url: e.TWILIO_WEBHOOK_PUBLIC_URL, carries: 'the API key (?code=) in every Twilio request' },
    { variable: 'REDIS_URL', url: e.REDIS_URL, carries: 'the Redis password' },
  ]);
  if (e.TWILIO_SIGNATURE_VALIDATION_DISABLED)
    refuseInProduction(ctx, 'TWILIO_SIGNATURE_VALIDATION_DISABLED', 'anyone with the API key could post SMS webhooks');
}

export const webhooksEnvSchema = z
  .object(webhooksEnv)
  .superRefine((e, ctx) => {
    checkHttpEnv(e, ctx);
    checkTwilioKeywords(e, ctx);
    refuseUnsafeProduction(e, ctx);
  })
  .transform((e) => ({
    ...serviceConfigFrom(e, 'webhooks'),
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

/** The sections Nest modules inject (tracing is read by main.ts before Nest starts). */
export const webhooksConfigNamespaces = [
  ...serviceConfigNamespaces,
  httpConfig,
  stripeConfig,
  twilioWebhookConfig,
  gatewayConfig,
  localizationConfig,
  encryptionConfig,
];
