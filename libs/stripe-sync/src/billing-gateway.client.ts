import { Injectable } from '@nestjs/common';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import type { GatewayPlan, GatewayPriceTier } from '@app/shared/graphql/gateway.types.js';
import { NudgesGateway } from '@app/shared/graphql/nudges-gateway.js';
import { decimalToJsonNumber } from './money.js';

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

/**
 * What the Stripe handlers need from the Nudges gateway: GUIDs out of node ids, exact decimals into
 * JSON numbers. Failures surface as the shared GatewayUnavailableError (transient) and
 * GatewayBusinessError (permanent). Tests replace it with an in-memory fake (overrideProvider).
 */
@Injectable()
export class BillingGatewayClient {
  constructor(private readonly gateway: NudgesGateway) {}

  /** The client's GUID, or null when no client has this Stripe customer id. */
  async clientIdByCustomerId(customerId: string): Promise<string | null> {
    const client = await this.gateway.clientByCustomerId(customerId);
    return client ? required('ClientByCustomerId', client.uuid, 'client id is not a GUID') : null;
  }

  /** The payment confirmation with this code, or null when there is none. */
  async paymentConfirmationByCode(confirmationCode: string): Promise<BillingPaymentConfirmation | null> {
    const found = await this.gateway.paymentConfirmationByCode(confirmationCode);
    return found ? { id: required('PaymentConfirmationByCode', found.uuid, 'payment confirmation id is not a GUID'), nodeId: found.id } : null;
  }

  async createPaymentConfirmation(confirmationCode: string, merchantServiceId: number): Promise<BillingPaymentConfirmation> {
    const created = await this.gateway.createPaymentConfirmation({ confirmationId: confirmationCode, merchantServiceId });
    return { id: required('CreatePaymentConfirmation', created.uuid, 'payment confirmation id is not a GUID'), nodeId: created.id };
  }

  /** Whether a plan subscription already refers to this payment confirmation (GUID). */
  async hasPlanSubscriptionFor(paymentConfirmationId: string): Promise<boolean> {
    return (await this.gateway.planSubscriptionByPaymentConfirmation(paymentConfirmationId)) !== null;
  }

  async createPlanSubscription(input: { clientId: string; paymentConfirmationId: string; priceTierForeignServiceId: string }): Promise<void> {
    await this.gateway.createPlanSubscription(input);
  }

  async planById(id: number): Promise<BillingPlan | null> {
    const plan = await this.gateway.planById(id);
    return plan ? toBillingPlan('PlanById', plan) : null;
  }

  async planByForeignId(productId: string): Promise<BillingPlan | null> {
    const plan = await this.gateway.planByForeignId(productId);
    return plan ? toBillingPlan('PlanByForeignId', plan) : null;
  }

  async patchPlan(planId: number, changes: PlanChanges): Promise<BillingPlan> {
    return toBillingPlan('PatchPlan', await this.gateway.patchPlan(planId, changes));
  }

  /** Adds the tier to the plan (keeping its isActive), or updates the plan's tier with the same foreign id. */
  async upsertPriceTier(plan: BillingPlan, tier: NewPriceTier): Promise<void> {
    const { price, ...rest } = tier;
    await this.gateway.patchPlan(plan.id, { isActive: plan.isActive, priceTiers: [{ ...rest, price: decimalToJsonNumber(price) }] });
  }

  /** 'notFound' when the plan is already gone. */
  deletePlan(plan: BillingPlan): Promise<'deleted' | 'notFound'> {
    return this.gateway.deletePlan(plan.nodeId);
  }

  async priceTierByForeignId(priceId: string): Promise<BillingPriceTier | null> {
    const tier = await this.gateway.priceTierByForeignId(priceId);
    return tier ? toBillingPriceTier(tier) : null;
  }

  async patchPriceTier(tier: BillingPriceTier, changes: PriceTierChanges): Promise<void> {
    await this.gateway.patchPriceTier(tier.nodeId, { ...changes, price: decimalToJsonNumber(changes.price) });
  }

  /** 'notFound' when the tier is already gone. */
  deletePriceTier(tier: BillingPriceTier): Promise<'deleted' | 'notFound'> {
    return this.gateway.deletePriceTier(tier.nodeId);
  }
}

function required<T>(operation: string, value: T | null, problem: string): T {
  if (value === null) throw new GatewayBusinessError(operation, 'InvalidId', problem);
  return value;
}

function toBillingPlan(operation: string, plan: GatewayPlan): BillingPlan {
  return {
    nodeId: plan.id,
    id: required(operation, plan.databaseId, 'plan id has no Int key'),
    name: plan.name,
    isActive: plan.isActive,
    foreignServiceId: plan.foreignServiceId,
  };
}

function toBillingPriceTier(tier: GatewayPriceTier): BillingPriceTier {
  return { nodeId: tier.id, name: tier.name, price: tier.price, status: tier.status, foreignServiceId: tier.foreignServiceId };
}
