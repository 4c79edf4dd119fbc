/**
 * What the Stripe handlers need from the Nudges gateway. The production implementation
 * (NudgesBillingGateway) sits on the shared NudgesGateway; the handlers only see this port.
 * Failures surface as the shared GatewayUnavailableError (transient) and GatewayBusinessError
 * (permanent).
 */
export const BILLING_GATEWAY = Symbol('BILLING_GATEWAY');

export type PriceTierStatus = 'ACTIVE' | 'ARCHIVED' | 'DELETED' | 'INACTIVE';
export type BillingDuration = 'P7D' | 'P30D' | 'P365D';

export interface BillingPlan {
  /** The gateway's global id (`Plan.id`), as published in `foreignProduct.synchronized`. */
  nodeId: string;
  /** The Int key `PatchPlanInput.id` takes. */
  id: number;
  name: string;
  /** Needed to add a price tier: Nudges' patchPlan clears `isActive` when it is left out. */
  isActive: boolean | null;
  foreignServiceId: string | null;
}

export interface BillingPriceTier {
  nodeId: string;
  name: string;
  /** Major units, as the gateway returns them. */
  price: number;
  status: PriceTierStatus;
  foreignServiceId: string | null;
}

export interface PlanChanges {
  name: string;
  description: string | null;
  iconUrl: string | null;
  isActive: boolean;
  foreignServiceId: string;
}

export interface NewPriceTier {
  /** The Stripe price id. */
  foreignServiceId: string;
  name: string;
  /** Major units as an exact decimal string, e.g. "9.99". */
  price: string;
  status: PriceTierStatus;
  duration?: BillingDuration;
}

export interface PriceTierChanges {
  name: string;
  price: string;
  status: PriceTierStatus;
}

export interface BillingPaymentConfirmation {
  /** Its GUID (what `payment.completed` carries as PaymentConfirmationId). */
  id: string;
  /** Its global node id (the `payments` key's EventKey). */
  nodeId: string;
}

export interface BillingGateway {
  /** The client's GUID, or null when no client has this Stripe customer id. */
  clientIdByCustomerId(customerId: string): Promise<string | null>;
  /** The payment confirmation with this code, or null when there is none. */
  paymentConfirmationByCode(confirmationCode: string): Promise<BillingPaymentConfirmation | null>;
  createPaymentConfirmation(confirmationCode: string, merchantServiceId: number): Promise<BillingPaymentConfirmation>;
  /** Whether a plan subscription already refers to this payment confirmation (GUID). */
  hasPlanSubscriptionFor(paymentConfirmationId: string): Promise<boolean>;
  createPlanSubscription(input: { clientId: string; paymentConfirmationId: string; priceTierForeignServiceId: string }): Promise<void>;
  planById(id: number): Promise<BillingPlan | null>;
  planByForeignId(productId: string): Promise<BillingPlan | null>;
  patchPlan(planId: number, changes: PlanChanges): Promise<BillingPlan>;
  /** Adds the tier to the plan (keeping its isActive), or updates the plan's tier with the same foreign id. */
  upsertPriceTier(plan: BillingPlan, tier: NewPriceTier): Promise<void>;
  /** 'notFound' when the plan is already gone. */
  deletePlan(plan: BillingPlan): Promise<'deleted' | 'notFound'>;
  priceTierByForeignId(priceId: string): Promise<BillingPriceTier | null>;
  patchPriceTier(tier: BillingPriceTier, changes: PriceTierChanges): Promise<void>;
  /** 'notFound' when the tier is already gone. */
  deletePriceTier(tier: BillingPriceTier): Promise<'deleted' | 'notFound'>;
}
