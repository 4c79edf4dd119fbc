import { intKeyOf } from '@app/shared/graphql/node-id.js';
import type { ForeignProductCreated } from '@app/shared/codec/messages.js';
import type { PlanChanges } from '../billing-gateway.client.js';
import { PermanentEventError } from '../stripe-event.errors.js';
import type { StripeProduct } from './stripe-objects.js';

/** The Nudges plan a product's metadata links to (`planId`: the Int key or the plan's global id), or null. */
export function linkedPlanId(product: StripeProduct): number | null {
  const raw = product.metadata?.['planId']?.trim();
  if (!raw) return null;
  const id = intKeyOf(raw);
  if (id === null)
    throw new PermanentEventError('stripe.invalid-plan-link', `product ${product.id} has metadata planId that is not a plan id`);
  return id;
}

/** What a `foreign-products` record says of a product (both its kinds). */
export function foreignProductOf(product: StripeProduct): Omit<ForeignProductCreated, '$type'> {
  return {
    foreignProductId: product.id,
    name: product.name,
    description: product.description ?? null,
    iconUrl: product.images?.[0] ?? null,
  };
}

/** The plan fields a product determines. */
export function planChangesOf(product: StripeProduct): PlanChanges {
  return {
    name: product.name,
    description: product.description ?? null,
    iconUrl: product.images?.[0] ?? null,
    isActive: product.active,
    foreignServiceId: product.id,
  };
}
