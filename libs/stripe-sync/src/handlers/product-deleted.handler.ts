import { Injectable, Logger } from '@nestjs/common';
import type { HandlerOutcome } from './stripe-event-handler.js';
import { CatalogEventHandler } from './catalog-event-handler.js';
import { productSchema, type StripeProduct } from './stripe-objects.js';

/**
 * A product was deleted: delete the plan linked to it, and leave a tombstone so a late
 * product.created does not bring it back. No such plan means it is already gone.
 */
@Injectable()
export class ProductDeletedHandler extends CatalogEventHandler<StripeProduct> {
  protected readonly schema = productSchema;
  readonly eventType = 'product.deleted';
  private readonly logger = new Logger(ProductDeletedHandler.name);

  protected async sync(product: StripeProduct, created: number): Promise<HandlerOutcome> {
    const result = await this.objects.run(product.id, created, 'delete', async () => {
      const plan = await this.gateway.planByForeignId(product.id);
      if (!plan) {
        this.logger.log({ msg: 'no plan linked to the deleted product; nothing to delete', productId: product.id });
        return false;
      }
      return (await this.gateway.deletePlan(plan)) === 'deleted';
    });
    return result.applied && result.value ? 'processed' : 'skipped';
  }
}
