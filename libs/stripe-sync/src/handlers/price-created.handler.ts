import { Injectable } from '@nestjs/common';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import { NotYetSyncedError } from '../stripe-event.errors.js';
import { durationOf, expandedProductName, majorAmountOf, productIdOf, tierStatusOf } from './price-sync.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, priceSchema } from './stripe-objects.js';

/**
 * A new price: the plan of its product gets a price tier (through patchPlan's `priceTiers`) with
 * the price id as foreign id, the nickname or else the product name as name, the amount in major
 * units and the duration of its period. A redelivery updates that same tier instead of adding
 * another. No plan linked to the product yet: not synced yet (Stripe sends product and price
 * events concurrently). A price deleted meanwhile is not created again.
 */
@Injectable()
export class PriceCreatedHandler implements StripeEventHandler {
  readonly eventType = 'price.created';

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly objects: ObjectVersionLock,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const price = objectOf(event, priceSchema);
    const amount = majorAmountOf(price);
    const productId = productIdOf(price);
    const duration = durationOf(price);
    // The plan is patched with its current isActive: hold the product so no product event changes it meanwhile.
    const result = await this.objects.run(price.id, event.created, 'apply', () =>
      this.objects.exclusive(productId, async () => {
        const plan = await this.gateway.planByForeignId(productId);
        if (!plan) throw new NotYetSyncedError('stripe.plan-not-found', `no plan is linked to product ${productId} of price ${price.id}`);
        await this.gateway.upsertPriceTier(plan, {
          foreignServiceId: price.id,
          name: price.nickname ?? expandedProductName(price) ?? plan.name,
          price: amount,
          status: tierStatusOf(price),
          ...(duration ? { duration } : {}),
        });
      }),
    );
    return result.applied ? 'processed' : 'stale';
  }
}
