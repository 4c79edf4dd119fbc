// In-memory data behind the test gateway, with seeding helpers for tests and the demo.
import { randomUUID } from 'node:crypto';

export type PriceTierStatus = 'ACTIVE' | 'ARCHIVED' | 'DELETED' | 'INACTIVE';
export type BasicDuration = 'P7D' | 'P30D' | 'P365D';

export interface ClientRecord {
  id: string;
  name: string;
  slug: string;
  locale: string | null;
  customerId: string | null;
  phoneNumber: string | null;
  subscriptionId: string | null;
}

export interface SubscriberRecord {
  id: string;
  phoneNumber: string | null;
  locale: string | null;
  clientIds: Set<string>;
}

export interface PlanRecord {
  id: number;
  name: string;
  description: string | null;
  iconUrl: string | null;
  isActive: boolean | null;
  foreignServiceId: string | null;
}

export interface PriceTierRecord {
  id: number;
  planId: number;
  name: string;
  price: number;
  status: PriceTierStatus;
  duration: BasicDuration;
  foreignServiceId: string | null;
  description: string | null;
  iconUrl: string | null;
}

export interface PaymentConfirmationRecord {
  id: string;
  confirmationCode: string;
  merchantServiceId: number;
  createdAt: string;
}

export interface PlanSubscriptionRecord {
  id: string;
  clientId: string;
  paymentConfirmationId: string;
  priceTierId: number;
  status: string;
  startDate: string;
  endDate: string;
}

interface Membership {
  /** Subscriber ids ordered by id (the order the gateway pages them in); sorted lazily after bulk adds. */
  ids: string[];
  sorted: boolean;
}

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'client';
const DURATION_DAYS: Record<BasicDuration, number> = { P7D: 7, P30D: 30, P365D: 365 };

export class GatewayStore {
  readonly clients = new Map<string, ClientRecord>();
  readonly subscribers = new Map<string, SubscriberRecord>();
  readonly plans = new Map<number, PlanRecord>();
  readonly priceTiers = new Map<number, PriceTierRecord>();
  readonly paymentConfirmations = new Map<string, PaymentConfirmationRecord>();
  readonly planSubscriptions = new Map<string, PlanSubscriptionRecord>();
  private readonly memberships = new Map<string, Membership>();
  private readonly subscriberIdByPhone = new Map<string, string>();
  // Lookups the gateway serves on every Stripe event, kept O(1) (see ForeignIdIndex).
  private readonly planIndex = new ForeignIdIndex(this.plans);
  private readonly priceTierIndex = new ForeignIdIndex(this.priceTiers);
  private readonly priceTierIdsByPlan = new Map<number, Set<number>>();
  private nextPlanId = 1;
  private nextPriceTierId = 1;

  // ------------------------------------------------------------ clients and subscribers

  addClient(input: { name: string; phoneNumber?: string; customerId?: string; locale?: string; slug?: string; id?: string }): ClientRecord {
    const client: ClientRecord = {
      id: input.id ?? randomUUID(),
      name: input.name,
      slug: input.slug ?? slugOf(input.name),
      locale: input.locale ?? 'en-US',
      customerId: input.customerId ?? null,
      phoneNumber: input.phoneNumber ?? null,
      subscriptionId: null,
    };
    this.clients.set(client.id, client);
    this.memberships.set(client.id, { ids: [], sorted: true });
    return client;
  }

  addSubscriber(input: { phoneNumber: string; locale?: string; id?: string; clientIds?: string[] }): SubscriberRecord {
    const subscriber: SubscriberRecord = {
      id: input.id ?? randomUUID(),
      phoneNumber: input.phoneNumber,
      locale: input.locale ?? 'en-US',
      clientIds: new Set(),
    };
    this.subscribers.set(subscriber.id, subscriber);
    this.subscriberIdByPhone.set(input.phoneNumber, subscriber.id);
    for (const clientId of input.clientIds ?? []) this.subscribe(subscriber.id, clientId);
    return subscriber;
  }

  /**
   * Adds `count` subscribers of one client in O(count): phone numbers `<phonePrefix><i padded to 7>`
   * (default prefix +1999, outside the demo range), locale from `localeOf(i)` (default every 10th es-ES).
   */
  seedSubscribers(clientId: string, count: number, options: { phonePrefix?: string; localeOf?: (i: number) => string } = {}): void {
    const membership = this.membershipOf(clientId);
    const prefix = options.phonePrefix ?? '+1999';
    const localeOf = options.localeOf ?? ((i: number) => (i % 10 === 9 ? 'es-ES' : 'en-US'));
    for (let i = 0; i < count; i++) {
      const subscriber = this.addSubscriber({ phoneNumber: `${prefix}${String(i).padStart(7, '0')}`, locale: localeOf(i) });
      subscriber.clientIds.add(clientId);
      membership.ids.push(subscriber.id);
    }
    membership.sorted = false;
  }

  subscribe(subscriberId: string, clientId: string): boolean {
    const subscriber = this.subscribers.get(subscriberId);
    if (!subscriber || !this.clients.has(clientId) || subscriber.clientIds.has(clientId)) return false;
    subscriber.clientIds.add(clientId);
    const membership = this.membershipOf(clientId);
    membership.ids.push(subscriberId);
    membership.sorted = false;
    return true;
  }

  unsubscribe(subscriberId: string, clientId: string): boolean {
    const subscriber = this.subscribers.get(subscriberId);
    if (!subscriber?.clientIds.delete(clientId)) return false;
    const ids = this.subscriberIdsOf(clientId) as string[];
    const at = lowerBound(ids, subscriberId);
    if (ids[at] === subscriberId) ids.splice(at, 1);
    return true;
  }

  /** The client's subscriber ids in paging order (by id). */
  subscriberIdsOf(clientId: string): readonly string[] {
    const membership = this.membershipOf(clientId);
    if (!membership.sorted) {
      membership.ids.sort();
      membership.sorted = true;
    }
    return membership.ids;
  }

  subscriberByPhoneNumber(phoneNumber: string): SubscriberRecord | undefined {
    const id = this.subscriberIdByPhone.get(phoneNumber);
    return id === undefined ? undefined : this.subscribers.get(id);
  }

  clientByPhoneNumber(phoneNumber: string): ClientRecord | undefined {
    return find(this.clients, (c) => c.phoneNumber === phoneNumber);
  }

  clientByCustomerId(customerId: string): ClientRecord | undefined {
    return find(this.clients, (c) => c.customerId === customerId);
  }

  // ------------------------------------------------------------ plans and prices

  addPlan(input: {
    name: string;
    foreignServiceId?: string;
    description?: string;
    iconUrl?: string;
    isActive?: boolean;
    id?: number;
  }): PlanRecord {
    const plan: PlanRecord = {
      id: input.id ?? this.nextPlanId,
      name: input.name,
      description: input.description ?? null,
      iconUrl: input.iconUrl ?? null,
      isActive: input.isActive ?? true,
      foreignServiceId: input.foreignServiceId ?? null,
    };
    this.nextPlanId = Math.max(this.nextPlanId, plan.id + 1);
    this.plans.set(plan.id, plan);
    this.planIndex.add(plan);
    return plan;
  }

  addPriceTier(
    planId: number,
    input: {
      name: string;
      price: number;
      foreignServiceId?: string;
      status?: PriceTierStatus;
      duration?: BasicDuration;
      description?: string;
      iconUrl?: string;
    },
  ): PriceTierRecord {
    const tier: PriceTierRecord = {
      id: this.nextPriceTierId++,
      planId,
      name: input.name,
      price: input.price,
      status: input.status ?? 'ACTIVE',
      duration: input.duration ?? 'P30D',
      foreignServiceId: input.foreignServiceId ?? null,
      description: input.description ?? null,
      iconUrl: input.iconUrl ?? null,
    };
    this.priceTiers.set(tier.id, tier);
    this.priceTierIndex.add(tier);
    let ofPlan = this.priceTierIdsByPlan.get(planId);
    if (!ofPlan) this.priceTierIdsByPlan.set(planId, (ofPlan = new Set()));
    ofPlan.add(tier.id);
    return tier;
  }

  deletePlan(planId: number): void {
    this.plans.delete(planId);
    for (const tier of this.priceTiersOf(planId)) this.priceTiers.delete(tier.id);
    this.priceTierIdsByPlan.delete(planId);
  }

  priceTiersOf(planId: number): PriceTierRecord[] {
    const tiers: PriceTierRecord[] = [];
    for (const id of this.priceTierIdsByPlan.get(planId) ?? []) {
      const tier = this.priceTiers.get(id);
      if (tier?.planId === planId) tiers.push(tier);
    }
    return tiers.sort((a, b) => a.id - b.id);
  }

  planByForeignId(foreignServiceId: string): PlanRecord | undefined {
    return this.planIndex.find(foreignServiceId);
  }

  priceTierByForeignId(foreignServiceId: string): PriceTierRecord | undefined {
    return this.priceTierIndex.find(foreignServiceId);
  }

  /** Call after changing a plan's or a tier's `foreignServiceId` in place (the resolvers do). */
  foreignIdChanged(record: PlanRecord | PriceTierRecord): void {
    if ('planId' in record) this.priceTierIndex.add(record);
    else this.planIndex.add(record);
  }

  // ------------------------------------------------------------ payments and subscriptions

  addPaymentConfirmation(input: { confirmationCode: string; merchantServiceId?: number; id?: string }): PaymentConfirmationRecord {
    const confirmation: PaymentConfirmationRecord = {
      id: input.id ?? randomUUID(),
      confirmationCode: input.confirmationCode,
      merchantServiceId: input.merchantServiceId ?? 1,
      createdAt: new Date().toISOString(),
    };
    this.paymentConfirmations.set(confirmation.id, confirmation);
    return confirmation;
  }

  paymentConfirmationByCode(confirmationCode: string): PaymentConfirmationRecord | undefined {
    return find(this.paymentConfirmations, (p) => p.confirmationCode === confirmationCode);
  }

  /** Creates the subscription and makes it the client's current one (Nudges does that through an event). */
  addPlanSubscription(input: {
    clientId: string;
    paymentConfirmationId: string;
    priceTierId: number;
    status?: string;
  }): PlanSubscriptionRecord {
    const tier = this.priceTiers.get(input.priceTierId);
    const start = new Date();
    const end = new Date(start.getTime() + DURATION_DAYS[tier?.duration ?? 'P30D'] * 86_400_000);
    const subscription: PlanSubscriptionRecord = {
      id: randomUUID(),
      clientId: input.clientId,
      paymentConfirmationId: input.paymentConfirmationId,
      priceTierId: input.priceTierId,
      status: input.status ?? 'ACTIVE',
      startDate: start.toISOString(),
      endDate: end.toISOString(),
    };
    this.planSubscriptions.set(subscription.id, subscription);
    const client = this.clients.get(input.clientId);
    if (client) client.subscriptionId = subscription.id;
    return subscription;
  }

  planSubscriptionsByPaymentConfirmation(paymentConfirmationId: string): PlanSubscriptionRecord[] {
    return [...this.planSubscriptions.values()].filter((s) => s.paymentConfirmationId === paymentConfirmationId);
  }

  private membershipOf(clientId: string): Membership {
    let membership = this.memberships.get(clientId);
    if (!membership) {
      membership = { ids: [], sorted: true };
      this.memberships.set(clientId, membership);
    }
    return membership;
  }
}

/**
 * foreignServiceId → the record with that id, as a scan in insertion (= id) order would find it.
 * Entries are checked on use, so a record whose foreign id changed or that was removed is never
 * returned for its old id; a miss falls back to the scan and remembers its result.
 */
class ForeignIdIndex<R extends { id: number; foreignServiceId: string | null }> {
  private readonly idByForeignId = new Map<string, number>();

  constructor(private readonly records: Map<number, R>) {}

  add(record: R): void {
    const foreignId = record.foreignServiceId;
    if (foreignId === null) return;
    const current = this.valid(foreignId);
    if (!current || record.id < current.id) this.idByForeignId.set(foreignId, record.id);
  }

  find(foreignId: string): R | undefined {
    const hit = this.valid(foreignId);
    if (hit) return hit;
    const found = find(this.records, (r) => r.foreignServiceId === foreignId);
    if (found) this.idByForeignId.set(foreignId, found.id);
    else this.idByForeignId.delete(foreignId);
    return found;
  }

  private valid(foreignId: string): R | undefined {
    const id = this.idByForeignId.get(foreignId);
    const record = id === undefined ? undefined : this.records.get(id);
    return record?.foreignServiceId === foreignId ? record : undefined;
  }
}

function find<K, V>(map: Map<K, V>, predicate: (value: V) => boolean): V | undefined {
  for (const value of map.values()) if (predicate(value)) return value;
  return undefined;
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
