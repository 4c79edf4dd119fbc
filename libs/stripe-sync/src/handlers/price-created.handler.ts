import { Injectable } from '@nestjs/common';
import { NotYetSyncedError } from '../stripe-event.errors.js';
import { durationOf, productIdOf, tierFieldsOf } from './price-sync.js';
import { outcomeOf, type HandlerOutcome } from './stripe-event-handler.js';
import { PriceEventHandler } from './catalog-event-handler.js';
import type { StripePrice } from './stripe-objects.js';

/**
 * A new price: the plan of its product gets a price tier (through patchPlan's `priceTiers`) with
 * the price id as foreign id, the nickname or else the product name as name, the amount in major
 * units and the duration of its period. A redelivery updates that same tier instead of adding
 * another. No plan linked to the product yet: not synced yet (Stripe sends product and price
 * events concurrently). A price deleted meanwhile is not created again.
 */
@Injectable()
export class PriceCreatedHandler extends PriceEventHandler {
  readonly eventType = 'price.created';

  protected async sync(price: StripePrice, created: number): Promise<HandlerOutcome> {
    const fields = tierFieldsOf(price);
    const productId = productIdOf(price);
    const duration = durationOf(price);
    // The plan is patched with its current isActive: hold the product so no product event changes it meanwhile.
    const result = await this.objects.run(price.id, created, 'apply', () =>
      this.objects.exclusive(productId, async () => {
        const plan = await this.gateway.planByForeignId(productId);
        if (!plan) throw new NotYetSyncedError('stripe.plan-not-found', `no plan is linked to product ${productId} of price ${price.id}`);
        const name = fields.name ?? plan.name;
        await this.gateway.upsertPriceTier(plan, { ...fields, name, foreignServiceId: price.id, ...(duration ? { duration } : {}) });
      }),
    );
    return outcomeOf(result);
  }
}
