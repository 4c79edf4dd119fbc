import { Injectable } from '@nestjs/common';
import { NotYetSyncedError } from '../stripe-event.errors.js';
import { tierFieldsOf } from './price-sync.js';
import { outcomeOf, type HandlerOutcome } from './stripe-event-handler.js';
import { PriceEventHandler } from './catalog-event-handler.js';
import type { StripePrice } from './stripe-objects.js';

/**
 * A price changed: its tier takes the amount, the name and the active/inactive status. An event
 * older than one already applied to the price is skipped. No tier yet: not synced yet (the
 * price.created may come later).
 */
@Injectable()
export class PriceUpdatedHandler extends PriceEventHandler {
  readonly eventType = 'price.updated';

  protected async sync(price: StripePrice, created: number): Promise<HandlerOutcome> {
    const fields = tierFieldsOf(price);
    const result = await this.objects.run(price.id, created, 'skip-older', async () => {
      const tier = await this.gateway.priceTierByForeignId(price.id);
      if (!tier) throw new NotYetSyncedError('stripe.price-tier-not-found', `no price tier has foreign id ${price.id}`);
      await this.gateway.patchPriceTier(tier, { ...fields, name: fields.name ?? tier.name });
    });
    return outcomeOf(result);
  }
}
