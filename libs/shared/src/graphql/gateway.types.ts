// What NudgesGateway returns and accepts. Ids named `id` are the gateway's opaque node ids;
// `uuid` / `databaseId` are the database keys behind them (see ./node-id.ts).

export type PriceTierStatus = 'ACTIVE' | 'ARCHIVED' | 'DELETED' | 'INACTIVE';
export type BasicDuration = 'P7D' | 'P30D' | 'P365D';

export interface PlanSubscriptionSummary {
  id: string;
  /** e.g. `ACTIVE`. */
  status: string | null;
  /** GUID of the payment confirmation that paid for it. */
  paymentConfirmationId: string;
  /** Stripe price id of its price tier. */
  priceForeignServiceId: string | null;
}

/** A client as the Stripe flows need it. */
export interface GatewayClientAccount {
  id: string;
  /** The client's GUID (what `payment.completed` carries as `clientId`). */
  uuid: string | null;
  name: string;
  customerId: string | null;
  /** The client's current plan subscription, if any. */
  subscription: PlanSubscriptionSummary | null;
}

/** A client as the Twilio flows need it. */
export interface GatewayClientProfile {
  id: string;
  uuid: string | null;
  name: string;
  slug: string;
  locale: string | null;
  subscriptionStatus: string | null;
  /** True when the current subscription's status is ACTIVE: only then may the client announce. */
  hasActiveSubscription: boolean;
}

export interface PaymentConfirmationRef {
  id: string;
  /** The confirmation's GUID (what `payment.completed` carries as `paymentConfirmationId`). */
  uuid: string | null;
  /** The Stripe invoice id it confirms. */
  confirmationCode: string;
}

export interface GatewayPriceTier {
  id: string;
  name: string;
  price: number;
  status: PriceTierStatus;
  foreignServiceId: string | null;
  /** Node id of the plan. */
  planId: string;
}

export interface GatewayPlan {
  id: string;
  /** The plan's Int key: what Stripe product metadata `planId` holds and PatchPlanInput.id takes. */
  databaseId: number | null;
  name: string;
  description: string | null;
  iconUrl: string | null;
  isActive: boolean | null;
  foreignServiceId: string | null;
  priceTiers: GatewayPriceTier[];
}

/** A price tier to add to a plan (or update, matched by `id` or `foreignServiceId`) in patchPlan. */
export interface PlanPriceTierInput {
  id?: string;
  foreignServiceId?: string;
  name?: string;
  price?: number;
  status?: PriceTierStatus;
  duration?: BasicDuration;
  description?: string;
  iconUrl?: string;
}

export interface PlanPatch {
  /**
   * Required on purpose: Nudges' patchPlan assigns isActive as given, so leaving it out clears it.
   * Pass the Stripe product's `active`, or the plan's current value.
   */
  isActive: boolean | null;
  name?: string;
  description?: string | null;
  iconUrl?: string | null;
  foreignServiceId?: string;
  priceTiers?: PlanPriceTierInput[];
}

export interface PriceTierPatch {
  name?: string;
  price?: number;
  status?: PriceTierStatus;
  foreignServiceId?: string;
  description?: string;
  iconUrl?: string;
}

export interface SubscriberClient {
  id: string;
  name: string;
}

export interface GatewaySubscriber {
  id: string;
  uuid: string | null;
  /** The number it was looked up by. */
  phoneNumber: string;
  locale: string | null;
  /** Every client it is subscribed to, ordered by name then id: position n is UNSUB n+1. */
  clients: SubscriberClient[];
}

/** One recipient of an announcement fan-out. */
export interface SubscriberContact {
  id: string;
  /** E.164 or the encrypted form, as Nudges stores it; null when the gateway withholds it. */
  phoneNumber: string | null;
  locale: string | null;
}

export type DeleteOutcome = 'deleted' | 'notFound';
export type UnsubscribeOutcome = 'unsubscribed' | 'notSubscribed';
