import { optionalHttpUrl, requiredString } from './env.js';

/** The shortest WEBHOOKS_API_KEY accepted: the key is all that stands between the internet and the Stripe endpoint. */
export const WEBHOOKS_API_KEY_MIN_LENGTH = 32;

/**
 * The credentials of the webhooks service's two endpoints: the service checks them, and the CLI's
 * `simulate` signs its requests with them, so both read the same variables.
 */
export const webhookEndpointsEnv = {
  WEBHOOKS_API_KEY: requiredString()
    .refine(
      (v) => v.length >= WEBHOOKS_API_KEY_MIN_LENGTH,
      `must be at least ${WEBHOOKS_API_KEY_MIN_LENGTH} characters (e.g. the output of openssl rand -hex 32)`,
    )
    .meta({
      description: `shared key both endpoints expect in ?code=, at least ${WEBHOOKS_API_KEY_MIN_LENGTH} characters`,
      sensitive: true,
    }),
  TWILIO_AUTH_TOKEN: requiredString().meta({ description: 'Twilio auth token; validates X-Twilio-Signature', sensitive: true }),
  TWILIO_WEBHOOK_PUBLIC_URL: optionalHttpUrl().meta({
    description:
      'public base URL Twilio calls (scheme, host, optional path prefix), e.g. https://hooks.example.com; the signed URL is this plus the path and query Node received. Unset: rebuilt from the request (X-Forwarded-Proto/Host honoured from TRUST_PROXY addresses only)',
  }),
};
