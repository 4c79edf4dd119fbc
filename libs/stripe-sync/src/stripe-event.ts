import { z } from 'zod';

/**
 * The envelope of a Stripe snapshot event, as far as this service relies on it. Unknown properties
 * are kept (each handler reads its own fields of `data.object`).
 */
const stripeEventSchema = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_]+$/),
  object: z.literal('event'),
  type: z.string().regex(/^[a-z0-9_.]+$/),
  created: z.number().int().nonnegative(),
  livemode: z.boolean(),
  api_version: z.string().nullable().optional(),
  data: z.object({
    object: z.looseObject({ id: z.string().min(1), object: z.string().min(1) }),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type StripeEvent = z.output<typeof stripeEventSchema>;

/** The verified event, or null when the JSON is not a Stripe event envelope. */
export function parseStripeEvent(value: unknown): StripeEvent | null {
  const parsed = stripeEventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
