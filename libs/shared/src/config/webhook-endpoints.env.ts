import { optionalHttpUrl, requiredString } from './env.js';

/**
 * The credentials of the webhooks service's two endpoints: the service checks them, and the CLI's
 * `simulate` signs its requests with them, so both read the same variables.
 */
export const webhookEndpointsEnv = {
  WEBHOOKS_API_KEY: requiredString().meta({ description: 'shared key both endpoints expect in ?code=', sensitive: true }),
  TWILIO_AUTH_TOKEN: requiredString().meta({ description: 'Twilio auth token; validates X-Twilio-Signature', sensitive: true }),
  TWILIO_WEBHOOK_PUBLIC_URL: optionalHttpUrl().meta({
    description:
      'public base URL Twilio calls (scheme, host, optional path prefix), e.g. https://hooks.example.com; the signed URL is this plus the path and query Node received. Unset: rebuilt from the request (X-Forwarded-Proto/Host honoured)',
  }),
};
