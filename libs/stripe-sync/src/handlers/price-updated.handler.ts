import { Injectable } from '@nestjs/common';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import { NotYetSyncedError } from '../stripe-event.errors.js';
import { expandedProductName, majorAmountOf, tierStatusOf } from './price-sync.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, priceSchema } from './stripe-objects.js';

/**
 * A price changed: its tier takes the amount, the name and the active/inactive status. An event
 * older than one already applied to the price is skipped. No tier yet: not synced yet (the
 * price.created may come later).
 */
@Injectable()
export class PriceUpdatedHandler implements StripeEventHandler {
  readonly eventType = 'price.updated';

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly objects: ObjectVersionLock,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const price = objectOf(event, priceSchema);
    const amount = majorAmountOf(price);
    const result = await this.objects.run(price.id, event.created, 'skip-older', async () => {
      const tier = await this.gateway.priceTierByForeignId(price.id);
      if (!tier) throw new NotYetSyncedError('stripe.price-tier-not-found', `no price tier has foreign id ${price.id}`);
      await this.gateway.patchPriceTier(tier, {
        name: price.nickname ?? expandedProductName(price) ?? tier.name,
        price: amount,
        status: tierStatusOf(price),
      });
    });
    return result.applied ? 'processed' : 'stale';
  }
}
