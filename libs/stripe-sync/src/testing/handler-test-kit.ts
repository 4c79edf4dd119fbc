// In-memory stand-ins for what the Stripe handlers call, and a Nest testing module that swaps them in
// with overrideProvider, as an application's tests would.
import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import type { ForeignProductEvent } from '@app/shared/codec/messages.js';
import { METRICS_REGISTRY } from '@app/shared/metrics/metrics.registry.js';
import {
  BillingGatewayClient,
  type BillingPaymentConfirmation,
  type BillingPlan,
  type BillingPriceTier,
  type NewPriceTier,
  type PlanChanges,
  type PriceTierChanges,
} from '../billing-gateway.client.js';
import { CheckoutSessionStore, type SessionClaim } from '../checkout-session.store.js';
import { CheckoutRecorder } from '../handlers/checkout-recorder.js';
import { ObjectVersionLock, type OrderMode, type OrderedResult } from '../object-version-lock.js';
import { StripeApi, type CheckoutDetails } from '../stripe-api.client.js';
import type { StripeEvent } from '../stripe-event.js';
import { StripeEventsPublisher, type PaymentCompletedFields } from '../stripe-events.publisher.js';
import { StripeSyncMetrics } from '../stripe-sync.metrics.js';
import type { StripeConfig } from '../stripe.env.js';
import { stripeConfig } from '../stripe.env.js';

type Subscription = { clientId: string; paymentConfirmationId: string; priceTierForeignServiceId: string };

/** The Nudges billing data the handlers read and write, in maps. */
export class InMemoryBillingGateway implements Pick<BillingGatewayClient, keyof BillingGatewayClient> {
  readonly clients = new Map<string, string>(); // Stripe customer id → client GUID
  readonly confirmations = new Map<string, BillingPaymentConfirmation>(); // code → confirmation
  readonly subscriptions: Subscription[] = [];
  readonly plans = new Map<number, BillingPlan>();
  readonly tiers = new Map<string, BillingPriceTier & { planId: number }>(); // foreign id → tier

  addPlan(plan: Partial<BillingPlan> & { id: number }): BillingPlan {
    const full = { nodeId: `plan-${plan.id}`, name: `Plan ${plan.id}`, isActive: true, foreignServiceId: null, ...plan };
    this.plans.set(full.id, full);
    return full;
  }

  addTier(planId: number, tier: Partial<BillingPriceTier> & { foreignServiceId: string }): void {
    this.tiers.set(tier.foreignServiceId, {
      nodeId: `tier-${tier.foreignServiceId}`,
      name: 'Tier',
      price: 1,
      status: 'ACTIVE',
      planId,
      ...tier,
    });
  }

  async clientIdByCustomerId(customerId: string) {
    return this.clients.get(customerId) ?? null;
  }

  async paymentConfirmationByCode(code: string) {
    return this.confirmations.get(code) ?? null;
  }

  async createPaymentConfirmation(code: string) {
    const created = {
      id: `00000000-0000-4000-8000-${String(this.confirmations.size + 1).padStart(12, '0')}`,
      nodeId: `confirmation-${code}`,
    };
    this.confirmations.set(code, created);
    return created;
  }

  async hasPlanSubscriptionFor(paymentConfirmationId: string) {
    return this.subscriptions.some((s) => s.paymentConfirmationId === paymentConfirmationId);
  }

  async createPlanSubscription(input: Subscription) {
    this.subscriptions.push(input);
  }

  async planById(id: number) {
    return this.plans.get(id) ?? null;
  }

  async planByForeignId(productId: string) {
    return [...this.plans.values()].find((p) => p.foreignServiceId === productId) ?? null;
  }

  async patchPlan(planId: number, changes: PlanChanges) {
    const plan = this.plans.get(planId);
    if (!plan) throw new Error(`no plan ${planId}`);
    return this.addPlan({ ...plan, name: changes.name, isActive: changes.isActive, foreignServiceId: changes.foreignServiceId });
  }

  async upsertPriceTier(plan: BillingPlan, tier: NewPriceTier) {
    this.addTier(plan.id, { ...tier, price: Number(tier.price) });
  }

  async deletePlan(plan: BillingPlan) {
    return this.plans.delete(plan.id) ? ('deleted' as const) : ('notFound' as const);
  }

  async priceTierByForeignId(priceId: string) {
    return this.tiers.get(priceId) ?? null;
  }

  async patchPriceTier(tier: BillingPriceTier, changes: PriceTierChanges) {
    const current = this.tiers.get(tier.foreignServiceId!)!;
    this.tiers.set(tier.foreignServiceId!, { ...current, ...changes, price: Number(changes.price) });
  }

  async deletePriceTier(tier: BillingPriceTier) {
    return this.tiers.delete(tier.foreignServiceId!) ? ('deleted' as const) : ('notFound' as const);
  }
}

/** The per-object version record and tombstones without Redis (no concurrency in a unit test). */
export class InMemoryObjectLock implements Pick<ObjectVersionLock, 'run' | 'exclusive'> {
  readonly newest = new Map<string, number>();
  readonly deleted = new Set<string>();

  async run<T>(objectId: string, created: number, mode: OrderMode, work: () => Promise<T>): Promise<OrderedResult<T>> {
    if (mode === 'delete') this.deleted.add(objectId);
    else if (this.deleted.has(objectId)) return { applied: false, reason: 'deleted' };
    const current = this.newest.get(objectId) ?? -1;
    if (mode === 'skip-older' && current > created) return { applied: false, reason: 'stale' };
    this.newest.set(objectId, Math.max(current, created));
    return { applied: true, value: await work() };
  }

  exclusive<T>(_objectId: string, work: () => Promise<T>): Promise<T> {
    return work();
  }
}

/** Recorded checkout sessions without Redis; `hold` marks one as being recorded elsewhere. */
export class InMemoryCheckoutSessions implements Pick<CheckoutSessionStore, 'claim'> {
  readonly recorded = new Set<string>();
  readonly held = new Set<string>();

  async claim(sessionId: string): Promise<SessionClaim> {
    if (this.recorded.has(sessionId)) return { status: 'recorded' };
    if (this.held.has(sessionId)) return { status: 'in-flight' };
    this.held.add(sessionId);
    return {
      status: 'claimed',
      complete: async () => {
        this.held.delete(sessionId);
        this.recorded.add(sessionId);
      },
      release: async () => void this.held.delete(sessionId),
    };
  }
}

export class RecordingPublisher implements Pick<StripeEventsPublisher, 'paymentCompleted' | 'foreignProduct'> {
  readonly payments: { fields: PaymentCompletedFields; key: string }[] = [];
  readonly foreignProducts: ForeignProductEvent[] = [];

  async paymentCompleted(fields: PaymentCompletedFields, key: string) {
    this.payments.push({ fields, key });
  }

  async foreignProduct(event: ForeignProductEvent) {
    this.foreignProducts.push(event);
  }
}

export class FakeStripeApi implements Pick<StripeApi, 'checkoutPriceIds' | 'checkoutInvoiceAndCustomer'> {
  readonly lineItems = new Map<string, string[]>(); // session id → price ids
  readonly sessions = new Map<string, Pick<CheckoutDetails, 'invoiceId' | 'customerId'>>();

  async checkoutPriceIds(sessionId: string) {
    return this.lineItems.get(sessionId) ?? [];
  }

  async checkoutInvoiceAndCustomer(sessionId: string) {
    return this.sessions.get(sessionId) ?? { invoiceId: null, customerId: null };
  }
}

/**
 * `handler` from a testing module whose billing client, object lock, checkout sessions, publisher
 * and Stripe API are the fakes above; its metrics go to `registry`.
 */
export async function handlerWithFakes<T>(handler: Type<T>, config: Partial<StripeConfig> = {}) {
  const { get, ...fakes } = await handlersWithFakes([handler], config);
  return { handler: get(handler), ...fakes };
}

/** Several handlers in one such testing module, sharing the fakes (events of one object or session). */
export async function handlersWithFakes(handlers: Type[], config: Partial<StripeConfig> = {}) {
  const fakes = {
    gateway: new InMemoryBillingGateway(),
    objects: new InMemoryObjectLock(),
    sessions: new InMemoryCheckoutSessions(),
    publisher: new RecordingPublisher(),
    stripe: new FakeStripeApi(),
    registry: new Registry(),
  };
  const module = await Test.createTestingModule({
    providers: [
      ...handlers,
      CheckoutRecorder,
      BillingGatewayClient,
      ObjectVersionLock,
      CheckoutSessionStore,
      StripeEventsPublisher,
      StripeApi,
      StripeSyncMetrics,
      { provide: METRICS_REGISTRY, useValue: fakes.registry },
      { provide: stripeConfig.KEY, useValue: { merchantServiceId: 1, createPlanSubscription: true, ...config } },
    ],
  })
    .overrideProvider(BillingGatewayClient)
    .useValue(fakes.gateway)
    .overrideProvider(ObjectVersionLock)
    .useValue(fakes.objects)
    .overrideProvider(CheckoutSessionStore)
    .useValue(fakes.sessions)
    .overrideProvider(StripeEventsPublisher)
    .useValue(fakes.publisher)
    .overrideProvider(StripeApi)
    .useValue(fakes.stripe)
    .compile();
  return { get: <T>(type: Type<T>): T => module.get(type), ...fakes };
}

/** The value of a counter series in `registry`, 0 when it was never incremented. */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const sample = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return sample?.value ?? 0;
}

export function eventOf(type: string, object: Record<string, unknown>, created = 1_700_000_000): StripeEvent {
  return {
    id: `evt_${created}`,
    object: 'event',
    type,
    created,
    livemode: false,
    data: { object: object as StripeEvent['data']['object'] },
  };
}

export const priceObject = (fields: Record<string, unknown> = {}) => ({
  id: 'price_1',
  object: 'price',
  active: true,
  currency: 'usd',
  nickname: 'Monthly',
  product: 'prod_1',
  unit_amount: 999,
  recurring: { interval: 'month', interval_count: 1 },
  ...fields,
});

export const productObject = (fields: Record<string, unknown> = {}) => ({
  id: 'prod_1',
  object: 'product',
  name: 'Gold',
  description: 'The gold plan',
  images: ['https://img.example/gold.png'],
  active: true,
  metadata: {},
  ...fields,
});
