import { Injectable } from '@nestjs/common';
import { FOREIGN_PRODUCT_CREATED_TYPE, FOREIGN_PRODUCT_SYNCHRONIZED_TYPE } from '@app/shared/codec/messages.js';
import { foreignProductOf, linkedPlanId, planChangesOf } from './product-sync.js';
import { outcomeOf, type HandlerOutcome } from './stripe-event-handler.js';
import { ProductEventHandler } from './catalog-event-handler.js';
import type { StripeProduct } from './stripe-objects.js';

/**
 * A new Stripe product. Linked to a plan (metadata `planId`): the plan takes the product's name,
 * description, first image, active flag and id, then `foreignProduct.synchronized`. Not linked:
 * `foreignProduct.created`, so Nudges admins can create the plan. A product deleted meanwhile is
 * not created again.
 */
@Injectable()
export class ProductCreatedHandler extends ProductEventHandler {
  readonly eventType = 'product.created';

  protected async sync(product: StripeProduct, created: number): Promise<HandlerOutcome> {
    const planId = linkedPlanId(product);
    const result = await this.objects.run(product.id, created, 'apply', async () => {
      const common = foreignProductOf(product);
      if (planId === null) {
        await this.publisher.foreignProduct({ $type: FOREIGN_PRODUCT_CREATED_TYPE, ...common });
        return;
      }
      const plan = await this.gateway.patchPlan(planId, planChangesOf(product));
      await this.publisher.foreignProduct({ $type: FOREIGN_PRODUCT_SYNCHRONIZED_TYPE, planNodeId: plan.nodeId, ...common });
    });
    return outcomeOf(result);
  }
}
