import { Injectable } from '@nestjs/common';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import type { GatewayPlan, GatewayPriceTier } from '@app/shared/graphql/gateway.types.js';
import { NudgesGateway } from '@app/shared/graphql/nudges-gateway.js';
import type {
  BillingGateway,
  BillingPaymentConfirmation,
  BillingPlan,
  BillingPriceTier,
  NewPriceTier,
  PlanChanges,
  PriceTierChanges,
} from './billing-gateway.port.js';
import { decimalToJsonNumber } from './money.js';

/** The billing port on the shared NudgesGateway: GUIDs out of node ids, exact decimals into JSON numbers. */
@Injectable()
export class NudgesBillingGateway implements BillingGateway {
  constructor(private readonly gateway: NudgesGateway) {}

  async clientIdByCustomerId(customerId: string): Promise<string | null> {
    const client = await this.gateway.clientByCustomerId(customerId);
    return client ? required('ClientByCustomerId', client.uuid, 'client id is not a GUID') : null;
  }

  async paymentConfirmationByCode(confirmationCode: string): Promise<BillingPaymentConfirmation | null> {
    const found = await this.gateway.paymentConfirmationByCode(confirmationCode);
    return found ? { id: required('PaymentConfirmationByCode', found.uuid, 'payment confirmation id is not a GUID'), nodeId: found.id } : null;
  }

  async createPaymentConfirmation(confirmationCode: string, merchantServiceId: number): Promise<BillingPaymentConfirmation> {
    const created = await this.gateway.createPaymentConfirmation({ confirmationId: confirmationCode, merchantServiceId });
    return { id: required('CreatePaymentConfirmation', created.uuid, 'payment confirmation id is not a GUID'), nodeId: created.id };
  }

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

  async upsertPriceTier(plan: BillingPlan, tier: NewPriceTier): Promise<void> {
    const { price, ...rest } = tier;
    await this.gateway.patchPlan(plan.id, { isActive: plan.isActive, priceTiers: [{ ...rest, price: decimalToJsonNumber(price) }] });
  }

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
