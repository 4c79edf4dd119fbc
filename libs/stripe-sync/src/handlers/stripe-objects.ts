// The fields of Stripe objects the handlers read (STRIPE_API_VERSION, the pinned stripe package's).
// Anything else in the object is ignored; a missing or malformed field we need is permanent.
import { z } from 'zod';
import { otherApiVersionOf, STRIPE_API_VERSION } from '../stripe-api-version.js';
import type { StripeEvent } from '../stripe-event.js';
import { PermanentEventError } from '../stripe-event.errors.js';

/** An expandable reference: the id, or the object carrying it. */
const reference = z
  .union([z.string(), z.looseObject({ id: z.string() })])
  .nullable()
  .optional();

export const idOf = (ref: z.output<typeof reference>): string | null => (typeof ref === 'string' ? ref : (ref?.id ?? null));

const metadata = z.record(z.string(), z.string()).nullable().optional();

export const productSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('product'),
  name: z.string(),
  description: z.string().nullable().optional(),
  images: z.array(z.string()).optional(),
  active: z.boolean(),
  metadata,
});
export type StripeProduct = z.output<typeof productSchema>;

export const priceSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('price'),
  active: z.boolean(),
  currency: z.string().regex(/^[a-zA-Z]{3}$/),
  nickname: z.string().nullable().optional(),
  product: z.union([z.string(), z.looseObject({ id: z.string(), name: z.string().optional() })]),
  unit_amount: z.number().int().nullable().optional(),
  unit_amount_decimal: z.union([z.string(), z.number()]).nullable().optional(),
  recurring: z
    .looseObject({ interval: z.enum(['day', 'week', 'month', 'year']), interval_count: z.number().int().positive() })
    .nullable()
    .optional(),
});
export type StripePrice = z.output<typeof priceSchema>;

export const checkoutSessionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('checkout.session'),
  customer: reference,
  invoice: reference,
  mode: z.string().optional(),
  payment_status: z.string().optional(),
});
export type StripeCheckoutSession = z.output<typeof checkoutSessionSchema>;

/**
 * The event's `data.object` read with `schema`, or a permanent error: `stripe.invalid-object`, or
 * `stripe.api-version-mismatch` when the event is of another API version (the likely cause, fixed
 * by the endpoint's version or the handlers, then a replay).
 */
export function objectOf<S extends z.ZodType>(event: StripeEvent, schema: S): z.output<S> {
  const parsed = schema.safeParse(event.data.object);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => i.path.join('.') || '(object)').join(', ');
  const problem = `${event.type} object lacks or has malformed fields: ${fields}`;
  const apiVersion = otherApiVersionOf(event);
  if (!apiVersion) throw new PermanentEventError('stripe.invalid-object', problem);
  throw new PermanentEventError(
    'stripe.api-version-mismatch',
    `${problem}; the event is of Stripe API version ${apiVersion}, the handlers are written for ${STRIPE_API_VERSION}`,
  );
}
