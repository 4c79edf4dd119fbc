import { Injectable } from '@nestjs/common';
import { FOREIGN_PRODUCT_SYNCHRONIZED_TYPE } from '@app/shared/codec/messages.js';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import { NotYetSyncedError } from '../stripe-event.errors.js';
import { StripeEventsPublisher } from '../stripe-events.publisher.js';
import { linkedPlanId, planChangesOf } from './product-sync.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, productSchema, type StripeProduct } from './stripe-objects.js';

/**
 * A product changed: the linked plan (metadata `planId`, else the plan whose foreign id is the
 * product) takes its name, description, icon and active flag, then `foreignProduct.synchronized`.
 * An event older than one already applied to the product is skipped. No plan linked yet: not synced
 * yet (the product.created that links it, or the Nudges admin, may come later).
 */
@Injectable()
export class ProductUpdatedHandler implements StripeEventHandler {
  readonly eventType = 'product.updated';

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly objects: ObjectVersionLock,
    private readonly publisher: StripeEventsPublisher,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const product = objectOf(event, productSchema);
    const result = await this.objects.run(product.id, event.created, 'skip-older', async () => {
      const planId = await this.planIdOf(product);
      const plan = await this.gateway.patchPlan(planId, planChangesOf(product));
      await this.publisher.foreignProduct({
        $type: FOREIGN_PRODUCT_SYNCHRONIZED_TYPE,
        planNodeId: plan.nodeId,
        foreignProductId: product.id,
        name: product.name,
        description: product.description ?? null,
        iconUrl: product.images?.[0] ?? null,
      });
    });
    return result.applied ? 'processed' : 'stale';
  }

  private async planIdOf(product: StripeProduct): Promise<number> {
    const linked = linkedPlanId(product);
    if (linked !== null) return linked;
    const plan = await this.gateway.planByForeignId(product.id);
    if (!plan) throw new NotYetSyncedError('stripe.plan-not-found', `no plan is linked to product ${product.id}`);
    return plan.id;
  }
}
