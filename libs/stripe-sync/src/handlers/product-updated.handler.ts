import { Injectable } from '@nestjs/common';
import { FOREIGN_PRODUCT_SYNCHRONIZED_TYPE } from '@app/shared/codec/messages.js';
import { NotYetSyncedError } from '../stripe-event.errors.js';
import { foreignProductOf, linkedPlanId, planChangesOf } from './product-sync.js';
import { outcomeOf, type HandlerOutcome } from './stripe-event-handler.js';
import { ProductEventHandler } from './catalog-event-handler.js';
import type { StripeProduct } from './stripe-objects.js';

/**
 * A product changed: the linked plan (metadata `planId`, else the plan whose foreign id is the
 * product) takes its name, description, icon and active flag, then `foreignProduct.synchronized`.
 * An event older than one already applied to the product is skipped. No plan linked yet: not synced
 * yet (the product.created that links it, or the Nudges admin, may come later).
 */
@Injectable()
export class ProductUpdatedHandler extends ProductEventHandler {
  readonly eventType = 'product.updated';

  protected async sync(product: StripeProduct, created: number): Promise<HandlerOutcome> {
    const result = await this.objects.run(product.id, created, 'skip-older', async () => {
      const planId = await this.planIdOf(product);
      const plan = await this.gateway.patchPlan(planId, planChangesOf(product));
      await this.publisher.foreignProduct({
        $type: FOREIGN_PRODUCT_SYNCHRONIZED_TYPE,
        planNodeId: plan.nodeId,
        ...foreignProductOf(product),
      });
    });
    return outcomeOf(result);
  }

  private async planIdOf(product: StripeProduct): Promise<number> {
    const linked = linkedPlanId(product);
    if (linked !== null) return linked;
    const plan = await this.gateway.planByForeignId(product.id);
    if (!plan) throw new NotYetSyncedError('stripe.plan-not-found', `no plan is linked to product ${product.id}`);
    return plan.id;
  }
}
