import { Injectable } from '@nestjs/common';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import { payloadError } from '@app/shared/graphql/graphql-errors.js';
import { GatewayGraphqlClient } from '@app/shared/graphql/gateway-graphql.client.js';
import { deleteOutcome, payloadValue, requirePlanKey, requireUuid, type MutationPayload } from '@app/shared/graphql/gateway-payload.js';
import { intKeyOf, uuidKeyOf } from '@app/shared/graphql/node-id.js';
import * as ops from '@app/shared/graphql/operations.js';
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

// ---- the answers as selected in @app/shared/graphql/operations.ts

interface RawPlan {
  id: string;
  name: string;
  isActive: boolean | null;
  foreignServiceId: string | null;
}
interface RawPriceTier {
  id: string;
  name: string;
  price: number;
  status: PriceTierStatus;
  foreignServiceId: string | null;
}
interface RawConfirmation {
  id: string;
}

/**
 * The Nudges gateway operations of the Stripe handlers: GUIDs out of node ids, exact decimals into
 * JSON numbers. Failures surface as the shared GatewayUnavailableError (transient) and
 * GatewayBusinessError (permanent). Tests replace it with an in-memory fake (overrideProvider).
 */
@Injectable()
export class BillingGatewayClient {
  constructor(private readonly graphql: GatewayGraphqlClient) {}

  /** The client's GUID, or null when no client has this Stripe customer id. */
  async clientIdByCustomerId(customerId: string): Promise<string | null> {
    const name = 'ClientByCustomerId';
    const data = await this.graphql.query<{ clientByCustomerId: { id: string } | null }>(name, ops.CLIENT_BY_CUSTOMER_ID, { customerId });
    const client = data.clientByCustomerId;
    return client ? required(name, uuidKeyOf(client.id), 'client id is not a GUID') : null;
  }

  /** The payment confirmation recorded for this Stripe invoice id, or null when there is none. */
  async paymentConfirmationByCode(confirmationCode: string): Promise<BillingPaymentConfirmation | null> {
    const name = 'PaymentConfirmationByCode';
    const data = await this.graphql.query<{ paymentConfirmationByCode: RawConfirmation | null }>(name, ops.PAYMENT_CONFIRMATION_BY_CODE, {
      confirmationCode,
    });
    return data.paymentConfirmationByCode ? toPaymentConfirmation(name, data.paymentConfirmationByCode) : null;
  }

  /** Records a payment. Not idempotent upstream: look it up with paymentConfirmationByCode first. */
  async createPaymentConfirmation(confirmationCode: string, merchantServiceId: number): Promise<BillingPaymentConfirmation> {
    const name = 'CreatePaymentConfirmation';
    const input = { confirmationId: confirmationCode, merchantServiceId };
    const data = await this.graphql.mutate<{ createPaymentConfirmation: { paymentConfirmation: RawConfirmation | null } }>(
      name,
      ops.CREATE_PAYMENT_CONFIRMATION,
      { input },
    );
    const created = data.createPaymentConfirmation.paymentConfirmation;
    if (!created) throw new GatewayBusinessError(name, 'EmptyPayload', 'no payment confirmation returned');
    return toPaymentConfirmation(name, created);
  }

  /** Whether a plan subscription already refers to this payment confirmation (GUID or node id). */
  async hasPlanSubscriptionFor(paymentConfirmationId: string): Promise<boolean> {
    const name = 'PlanSubscriptionByPaymentConfirmation';
    const variables = { paymentConfirmationId: requireUuid(name, paymentConfirmationId) };
    const data = await this.graphql.query<{ planSubscriptions: { nodes: unknown[] | null } | null }>(
      name,
      ops.PLAN_SUBSCRIPTION_BY_PAYMENT_CONFIRMATION,
      variables,
    );
    return data.planSubscriptions?.nodes?.[0] !== undefined;
  }

  /** Subscribes the client to the price tier with this Stripe price id (ids as GUIDs or node ids). */
  async createPlanSubscription(input: {
    clientId: string;
    paymentConfirmationId: string;
    priceTierForeignServiceId: string;
  }): Promise<void> {
    const name = 'CreatePlanSubscription';
    const variables = {
      input: {
        clientId: requireUuid(name, input.clientId),
        paymentConfirmationId: requireUuid(name, input.paymentConfirmationId),
        priceTierForeignServiceId: input.priceTierForeignServiceId,
      },
    };
    const data = await this.graphql.mutate<{ createPlanSubscription: MutationPayload }>(name, ops.CREATE_PLAN_SUBSCRIPTION, variables);
    payloadValue(name, data.createPlanSubscription, 'planSubscription');
  }

  /** The plan with this Int key (Stripe product metadata `planId`); null if none. */
  async planById(id: number): Promise<BillingPlan | null> {
    const name = 'PlanById';
    const data = await this.graphql.query<{ plans: { nodes: RawPlan[] | null } | null }>(name, ops.PLAN_BY_ID, {
      id: requirePlanKey(name, id),
    });
    const plan = data.plans?.nodes?.[0];
    return plan ? toBillingPlan(name, plan) : null;
  }

  /** The plan linked to this Stripe product id; null if none. */
  async planByForeignId(productId: string): Promise<BillingPlan | null> {
    const name = 'PlanByForeignId';
    const data = await this.graphql.query<{ planByForeignId: RawPlan | null }>(name, ops.PLAN_BY_FOREIGN_ID, { id: productId });
    return data.planByForeignId ? toBillingPlan(name, data.planByForeignId) : null;
  }

  /** PlanNotFoundError → GatewayBusinessError (notFound). */
  async patchPlan(planId: number, changes: PlanChanges): Promise<BillingPlan> {
    return toBillingPlan('PatchPlan', await this.sendPlanPatch(planId, changes));
  }

  /** Adds the tier to the plan (keeping its isActive), or updates the plan's tier with the same foreign id. */
  async upsertPriceTier(plan: BillingPlan, tier: NewPriceTier): Promise<void> {
    const { price, ...rest } = tier;
    await this.sendPlanPatch(plan.id, { isActive: plan.isActive, priceTiers: [{ ...rest, price: decimalToJsonNumber(price) }] });
  }

  /** 'notFound' when the plan is already gone (so a redelivered event is harmless). */
  async deletePlan(plan: BillingPlan): Promise<'deleted' | 'notFound'> {
    const data = await this.graphql.mutate<{ deletePlan: MutationPayload }>('DeletePlan', ops.DELETE_PLAN, { input: { id: plan.nodeId } });
    return deleteOutcome('DeletePlan', data.deletePlan);
  }

  /** The price tier linked to this Stripe price id; null if none. */
  async priceTierByForeignId(priceId: string): Promise<BillingPriceTier | null> {
    const data = await this.graphql.query<{ priceTierByForeignId: RawPriceTier | null }>(
      'PriceTierByForeignId',
      ops.PRICE_TIER_BY_FOREIGN_ID,
      { id: priceId },
    );
    const tier = data.priceTierByForeignId;
    return tier
      ? { nodeId: tier.id, name: tier.name, price: tier.price, status: tier.status, foreignServiceId: tier.foreignServiceId }
      : null;
  }

  /**
   * The selection stops at the plan's id: the Stripe flow needs nothing else, and the whole plan with
   * its tiers would cost both sides on every price update. PriceTierNotFoundError → notFound.
   */
  async patchPriceTier(tier: BillingPriceTier, changes: PriceTierChanges): Promise<void> {
    const name = 'PatchPriceTier';
    const input = { id: tier.nodeId, ...changes, price: decimalToJsonNumber(changes.price) };
    const data = await this.graphql.mutate<{ patchPriceTier: MutationPayload }>(name, ops.PATCH_PRICE_TIER, { input });
    const errors = data.patchPriceTier.errors;
    if (errors?.length) throw payloadError(name, errors);
  }

  /** Deletes (Nudges: deactivates) the tier; 'notFound' when it is already gone. */
  async deletePriceTier(tier: BillingPriceTier): Promise<'deleted' | 'notFound'> {
    const data = await this.graphql.mutate<{ deletePriceTier: MutationPayload }>('DeletePriceTier', ops.DELETE_PRICE_TIER, {
      input: { id: tier.nodeId },
    });
    return deleteOutcome('DeletePriceTier', data.deletePriceTier);
  }

  /** Price tiers in the patch are matched by id or foreignServiceId and updated, or added. */
  private async sendPlanPatch(planId: number, patch: object): Promise<RawPlan> {
    const name = 'PatchPlan';
    const input = { id: requirePlanKey(name, planId), ...patch };
    const data = await this.graphql.mutate<{ patchPlan: MutationPayload }>(name, ops.PATCH_PLAN, { input });
    return payloadValue<RawPlan>(name, data.patchPlan, 'plan');
  }
}

function required<T>(operation: string, value: T | null, problem: string): T {
  if (value === null) throw new GatewayBusinessError(operation, 'InvalidId', problem);
  return value;
}

function toPaymentConfirmation(operation: string, raw: RawConfirmation): BillingPaymentConfirmation {
  return { id: required(operation, uuidKeyOf(raw.id), 'payment confirmation id is not a GUID'), nodeId: raw.id };
}

function toBillingPlan(operation: string, plan: RawPlan): BillingPlan {
  return {
    nodeId: plan.id,
    id: required(operation, intKeyOf(plan.id), 'plan id has no Int key'),
    name: plan.name,
    isActive: plan.isActive,
    foreignServiceId: plan.foreignServiceId,
  };
}
