import { Injectable, Logger } from '@nestjs/common';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, productSchema } from './stripe-objects.js';

/**
 * A product was deleted: delete the plan linked to it, and leave a tombstone so a late
 * product.created does not bring it back. No such plan means it is already gone.
 */
@Injectable()
export class ProductDeletedHandler implements StripeEventHandler {
  readonly eventType = 'product.deleted';
  private readonly logger = new Logger(ProductDeletedHandler.name);

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly objects: ObjectVersionLock,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const product = objectOf(event, productSchema);
    const result = await this.objects.run(product.id, event.created, 'delete', async () => {
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
