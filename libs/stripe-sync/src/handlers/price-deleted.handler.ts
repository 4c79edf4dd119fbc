import { Injectable, Logger } from '@nestjs/common';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, priceSchema } from './stripe-objects.js';

/**
 * A price was deleted: delete its tier, and leave a tombstone so a late price.created does not bring
 * it back. No such tier means it is already gone (or was never synced).
 */
@Injectable()
export class PriceDeletedHandler implements StripeEventHandler {
  readonly eventType = 'price.deleted';
  private readonly logger = new Logger(PriceDeletedHandler.name);

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly objects: ObjectVersionLock,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const price = objectOf(event, priceSchema);
    const result = await this.objects.run(price.id, event.created, 'delete', async () => {
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
