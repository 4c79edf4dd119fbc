import { z } from 'zod';
import { optionalHttpUrl, requiredString } from '@app/shared/config/env.js';

export const stripeEnv = {
  STRIPE_API_KEY: requiredString().meta({ description: 'Stripe secret API key (sk_...)', sensitive: true }),
  STRIPE_WEBHOOKS_SECRET: requiredString().meta({ description: 'Stripe webhook signing secret (whsec_...)', sensitive: true }),
  STRIPE_API_URL: optionalHttpUrl().meta({ description: 'another Stripe API host, e.g. stripe-mock (tests, staging)' }),
};

export interface StripeConfig {
  apiKey: string;
  webhooksSecret: string;
  apiUrl?: string;
}

export function stripeConfigFrom(e: z.output<z.ZodObject<typeof stripeEnv>>): StripeConfig {
  return { apiKey: e.STRIPE_API_KEY, webhooksSecret: e.STRIPE_WEBHOOKS_SECRET, apiUrl: e.STRIPE_API_URL };
}
