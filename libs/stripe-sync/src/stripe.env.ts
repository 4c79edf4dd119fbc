import { z } from 'zod';
import { blankToUndefined, bool, optionalHttpUrl, positiveInt, requiredString } from '@app/shared/config/env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';

/** Stripe keeps retrying an event for three days; processed ids must be remembered for longer. */
export const MIN_DEDUPE_TTL_SECONDS = 4 * 24 * 60 * 60;

/** Default grace for events whose object depends on one not synced yet: Stripe's first retries fall within the hour. */
export const DEFAULT_NOT_YET_SYNCED_GRACE_SECONDS = 60 * 60;
/**
 * Stripe retries for 3 days with growing gaps; a retry must still come after the grace ends for the
 * event to be dead-lettered rather than left unprocessed (stripe-reconcile would still find it).
 */
export const MAX_NOT_YET_SYNCED_GRACE_SECONDS = 2 * 24 * 60 * 60;

/** Whole seconds from 0 to MAX_NOT_YET_SYNCED_GRACE_SECONDS; blank means the default. */
const graceSeconds = () =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(
        MAX_NOT_YET_SYNCED_GRACE_SECONDS,
        `must be at most ${MAX_NOT_YET_SYNCED_GRACE_SECONDS} seconds (2 days; Stripe stops retrying after 3, and a retry must come after the grace)`,
      )
      .default(DEFAULT_NOT_YET_SYNCED_GRACE_SECONDS),
  );

export const stripeEnv = {
  STRIPE_API_KEY: requiredString().meta({ description: 'Stripe secret API key (sk_...)', sensitive: true }),
  STRIPE_WEBHOOKS_SECRET: requiredString().meta({ description: 'Stripe webhook signing secret (whsec_...)', sensitive: true }),
  STRIPE_API_URL: optionalHttpUrl().meta({ description: 'another Stripe API host, e.g. stripe-mock (tests, staging)' }),
  STRIPE_API_TIMEOUT_MS: positiveInt(5000).meta({
    description: 'timeout of one Stripe API request, in milliseconds (no retries inside a webhook request)',
  }),
  MERCHANT_SERVICE_ID: positiveInt(1).meta({
    description: 'merchant service id written on every payment confirmation (Nudges: 1 = Stripe)',
  }),
  STRIPE_CREATE_PLAN_SUBSCRIPTION: bool(true).meta({
    description:
      'true: a paid checkout creates the client’s plan subscription here (do not run the C# payments handler); false: only payment.completed is published and the C# payments handler creates it',
  }),
  STRIPE_EVENT_DEDUPE_TTL: positiveInt(MIN_DEDUPE_TTL_SECONDS)
    .refine((s) => s >= MIN_DEDUPE_TTL_SECONDS, `must be at least ${MIN_DEDUPE_TTL_SECONDS} seconds (4 days; Stripe retries for 3)`)
    .meta({ description: 'seconds a processed Stripe event id is remembered in Redis (at least 4 days)' }),
  STRIPE_NOT_YET_SYNCED_GRACE: graceSeconds().meta({
    description:
      'seconds after an event’s created during which an event whose object depends on one not synced yet answers 500 so Stripe retries; after them it is dead-lettered (0 = at once, at most 2 days)',
  }),
};

export interface StripeConfig {
  apiKey: string;
  webhooksSecret: string;
  apiUrl?: string;
  apiTimeoutMs: number;
  merchantServiceId: number;
  dedupeTtlSeconds: number;
  /** Seconds from the event's `created` during which "not synced yet" is transient. */
  notYetSyncedGraceSeconds: number;
  /** Whether this service creates the plan subscription of a paid checkout (else the C# payments handler does). */
  createPlanSubscription: boolean;
}

export function stripeConfigFrom(e: z.output<z.ZodObject<typeof stripeEnv>>): StripeConfig {
  return {
    apiKey: e.STRIPE_API_KEY,
    webhooksSecret: e.STRIPE_WEBHOOKS_SECRET,
    apiUrl: e.STRIPE_API_URL,
    apiTimeoutMs: e.STRIPE_API_TIMEOUT_MS,
    merchantServiceId: e.MERCHANT_SERVICE_ID,
    dedupeTtlSeconds: e.STRIPE_EVENT_DEDUPE_TTL,
    notYetSyncedGraceSeconds: e.STRIPE_NOT_YET_SYNCED_GRACE,
    createPlanSubscription: e.STRIPE_CREATE_PLAN_SUBSCRIPTION,
  };
}

export const stripeConfig = configNamespace<StripeConfig>('stripe');
