// A Stripe world for the storm: for each event, the gateway objects its handler needs, the state
// the gateway must end in, and the one mutation (per target) it must have applied exactly once.
import Stripe from 'stripe';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import type { TestGateway } from '../../../peers/gateway/gateway-server.js';
import { stackEnv } from '../stack.js';
import {
  checkoutSessionObject,
  HANDLED_STRIPE_EVENT_TYPES,
  priceObject,
  productObject,
  stripeEvent,
  stripeId,
  type StripeEventPayload,
} from '../stripe/stripe-fixtures.js';

/** The seven handled types, each its own handler in the app. */
export const STORM_TYPES = HANDLED_STRIPE_EVENT_TYPES;

export interface PlannedEvent {
  event: StripeEventPayload;
  /** Mutations this event must cause, each applied exactly once: `<field> <target>`. */
  mutationKeys: string[];
  /** Whether the gateway shows the event's effect; the reason when it does not. */
  check(): string | null;
}

/** The price id stripe-mock answers for every checkout session's line items. */
export async function stripeMockPurchasedPriceId(): Promise<string> {
  const url = new URL(stackEnv().STRIPE_API_URL);
  const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 2 });
  const priceId = (await stripe.checkout.sessions.listLineItems('cs_test_probe')).data[0]?.price?.id;
  if (!priceId) throw new Error('stripe-mock returned no line item price');
  return priceId;
}

/** Seeds the gateway and builds `count` distinct events spread evenly over STORM_TYPES. */
export function planStorm(gateway: TestGateway, count: number, purchasedPriceId: string): PlannedEvent[] {
  const store = gateway.store;
  const purchasePlan = store.addPlan({ name: 'Storm purchase plan', foreignServiceId: stripeId('prod') });
  store.addPriceTier(purchasePlan.id, { name: 'Monthly', price: 10, foreignServiceId: purchasedPriceId });

  const builders: Record<(typeof STORM_TYPES)[number], (i: number) => PlannedEvent> = {
    'checkout.session.completed': (i) => {
      const customerId = stripeId('cus');
      const client = store.addClient({ name: `Storm client ${i}`, customerId });
      const session = checkoutSessionObject({ customer: customerId });
      const invoiceId = session.invoice as string;
      return {
        event: stripeEvent('checkout.session.completed', session),
        mutationKeys: [`createPaymentConfirmation ${invoiceId}`, `createPlanSubscription ${invoiceId}`],
        check: () => {
          const confirmation = store.paymentConfirmationByCode(invoiceId);
          if (!confirmation) return `no payment confirmation for ${invoiceId}`;
          const subscriptions = store.planSubscriptionsByPaymentConfirmation(confirmation.id);
          if (subscriptions.length !== 1) return `${subscriptions.length} plan subscriptions for ${invoiceId}`;
          return client.subscriptionId === subscriptions[0]?.id ? null : `client of ${invoiceId} not subscribed`;
        },
      };
    },
    'product.created': (i) => {
      const plan = store.addPlan({ name: 'Placeholder', isActive: false });
      const product = productObject({ name: `Storm product ${i}`, metadata: { planId: String(plan.id) } });
      return {
        event: stripeEvent('product.created', product),
        mutationKeys: [`patchPlan ${plan.id}`],
        check: () => {
          const now = store.plans.get(plan.id);
          return now?.name === product.name && now.foreignServiceId === product.id && now.isActive === true
            ? null
            : `plan ${plan.id} not synced`;
        },
      };
    },
    'product.updated': (i) => {
      const productId = stripeId('prod');
      const plan = store.addPlan({ name: 'Before update', foreignServiceId: productId });
      const product = productObject({ id: productId, name: `Storm renamed ${i}` });
      return {
        event: stripeEvent('product.updated', product, { previousAttributes: { name: 'Before update' } }),
        mutationKeys: [`patchPlan ${plan.id}`],
        check: () => (store.plans.get(plan.id)?.name === product.name ? null : `plan ${plan.id} not renamed`),
      };
    },
    'product.deleted': () => {
      const productId = stripeId('prod');
      const plan = store.addPlan({ name: 'To delete', foreignServiceId: productId });
      return {
        event: stripeEvent('product.deleted', productObject({ id: productId, active: false })),
        mutationKeys: [`deletePlan ${encodeNodeId('Plan', plan.id)}`],
        check: () => (store.plans.has(plan.id) ? `plan ${plan.id} not deleted` : null),
      };
    },
    'price.created': (i) => {
      const productId = stripeId('prod');
      const plan = store.addPlan({ name: 'Gets a tier', foreignServiceId: productId });
      const price = priceObject({ product: productId, nickname: `Storm tier ${i}`, unitAmount: 1000 + i });
      return {
        event: stripeEvent('price.created', price),
        mutationKeys: [`patchPlan ${plan.id}`],
        check: () => {
          const tiers = store.priceTiersOf(plan.id).filter((t) => t.foreignServiceId === price.id);
          if (tiers.length !== 1) return `${tiers.length} tiers for ${price.id}`;
          return tiers[0]?.price === (1000 + i) / 100 && tiers[0].name === price.nickname ? null : `tier of ${price.id} wrong`;
        },
      };
    },
    'price.updated': (i) => {
      const priceId = stripeId('price');
      const productId = stripeId('prod');
      const plan = store.addPlan({ name: 'Tier changes', foreignServiceId: productId });
      const tier = store.addPriceTier(plan.id, { name: 'Old', price: 1, foreignServiceId: priceId });
      const price = priceObject({ id: priceId, product: productId, nickname: `Storm repriced ${i}`, unitAmount: 5000 + i });
      return {
        event: stripeEvent('price.updated', price, { previousAttributes: { unit_amount: 100 } }),
        mutationKeys: [`patchPriceTier ${encodeNodeId('PriceTier', tier.id)}`],
        check: () => {
          const now = store.priceTiers.get(tier.id);
          return now?.price === (5000 + i) / 100 && now.name === price.nickname ? null : `tier ${tier.id} not repriced`;
        },
      };
    },
    'price.deleted': () => {
      const priceId = stripeId('price');
      const productId = stripeId('prod');
      const plan = store.addPlan({ name: 'Tier goes', foreignServiceId: productId });
      const tier = store.addPriceTier(plan.id, { name: 'Doomed', price: 3, foreignServiceId: priceId });
      return {
        event: stripeEvent('price.deleted', priceObject({ id: priceId, product: productId, active: false })),
        mutationKeys: [`deletePriceTier ${encodeNodeId('PriceTier', tier.id)}`],
        check: () => (store.priceTiers.get(tier.id)?.status === 'INACTIVE' ? null : `tier ${tier.id} still active`),
      };
    },
  };
  return Array.from({ length: count }, (_, i) => builders[STORM_TYPES[i % STORM_TYPES.length] as (typeof STORM_TYPES)[number]](i));
}

export interface MutationAudit {
  /** Applied mutations beyond the first for one target. */
  duplicated: number;
  /** Expected mutations never applied. */
  missing: number;
  /** Applied mutations no event called for. */
  unexpected: number;
}

/** Compares the gateway's mutation log with what the planned events call for. */
export function auditMutations(gateway: TestGateway, planned: readonly PlannedEvent[]): MutationAudit {
  const invoiceOfConfirmation = new Map([...gateway.store.paymentConfirmations.values()].map((p) => [p.id, p.confirmationCode]));
  const applied = new Map<string, number>();
  for (const m of gateway.mutations) {
    if (m.outcome !== 'applied') continue;
    const target =
      m.field === 'createPaymentConfirmation'
        ? m.input['confirmationId']
        : m.field === 'createPlanSubscription'
          ? invoiceOfConfirmation.get(String(m.input['paymentConfirmationId']))
          : m.input['id'];
    const key = `${m.field} ${String(target)}`;
    applied.set(key, (applied.get(key) ?? 0) + 1);
  }
  const expected = new Set(planned.flatMap((p) => p.mutationKeys));
  let duplicated = 0;
  let unexpected = 0;
  for (const [key, n] of applied) {
    if (!expected.has(key)) unexpected += n;
    else duplicated += n - 1;
  }
  const missing = [...expected].filter((key) => !applied.has(key)).length;
  return { duplicated, missing, unexpected };
}
