import { Injectable } from '@nestjs/common';
import { FOREIGN_PRODUCT_CREATED_TYPE, FOREIGN_PRODUCT_SYNCHRONIZED_TYPE } from '@app/shared/codec/messages.js';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import { StripeEventsPublisher } from '../stripe-events.publisher.js';
import { linkedPlanId, planChangesOf } from './product-sync.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, productSchema } from './stripe-objects.js';

/**
 * A new Stripe product. Linked to a plan (metadata `planId`): the plan takes the product's name,
 * description, first image, active flag and id, then `foreignProduct.synchronized`. Not linked:
 * `foreignProduct.created`, so Nudges admins can create the plan. A product deleted meanwhile is
 * not created again.
 */
@Injectable()
export class ProductCreatedHandler implements StripeEventHandler {
  readonly eventType = 'product.created';

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly objects: ObjectVersionLock,
    private readonly publisher: StripeEventsPublisher,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const product = objectOf(event, productSchema);
    const planId = linkedPlanId(product);
    const result = await this.objects.run(product.id, event.created, 'apply', async () => {
      const common = {
        foreignProductId: product.id,
        name: product.name,
        description: product.description ?? null,
        iconUrl: product.images?.[0] ?? null,
      };
      if (planId === null) {
        await this.publisher.foreignProduct({ $type: FOREIGN_PRODUCT_CREATED_TYPE, ...common });
        return;
      }
      const plan = await this.gateway.patchPlan(planId, planChangesOf(product));
      await this.publisher.foreignProduct({ $type: FOREIGN_PRODUCT_SYNCHRONIZED_TYPE, planNodeId: plan.nodeId, ...common });
    });
    return result.applied ? 'processed' : 'stale';
  }
}
