import { Injectable, Logger } from '@nestjs/common';
import type { HandlerOutcome } from './stripe-event-handler.js';
import { PriceEventHandler } from './catalog-event-handler.js';
import type { StripePrice } from './stripe-objects.js';

/**
 * A price was deleted: delete its tier, and leave a tombstone so a late price.created does not bring
 * it back. No such tier means it is already gone (or was never synced).
 */
@Injectable()
export class PriceDeletedHandler extends PriceEventHandler {
  readonly eventType = 'price.deleted';
  private readonly logger = new Logger(PriceDeletedHandler.name);

  protected async sync(price: StripePrice, created: number): Promise<HandlerOutcome> {
    const result = await this.objects.run(price.id, created, 'delete', async () => {
      const tier = await this.gateway.priceTierByForeignId(price.id);
      if (!tier) {
        this.logger.log({ msg: 'no price tier for the deleted price; nothing to delete', priceId: price.id });
        return false;
      }
      return (await this.gateway.deletePriceTier(tier)) === 'deleted';
    });
    return result.applied && result.value ? 'processed' : 'skipped';
  }
}
