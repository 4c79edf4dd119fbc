import { NotYetSyncedError } from '../stripe-event.errors.js';
import { eventOf, handlerWithFakes, productObject } from '../testing/handler-test-kit.js';
import { ProductUpdatedHandler } from './product-updated.handler.js';

describe('ProductUpdatedHandler', () => {
  it('updates the plan whose foreign id is the product and publishes foreignProduct.synchronized', async () => {
    const { handler, gateway, publisher } = await handlerWithFakes(ProductUpdatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1', name: 'Old' });
    expect(await handler.handle(eventOf('product.updated', productObject({ active: false })))).toBe('processed');
    expect(gateway.plans.get(7)).toMatchObject({ name: 'Gold', isActive: false });
    expect(publisher.foreignProducts).toEqual([expect.objectContaining({ planNodeId: 'plan-7', foreignProductId: 'prod_1' })]);
  });

  it('skips an event older than one already applied', async () => {
    const { handler, gateway, publisher } = await handlerWithFakes(ProductUpdatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1' });
    await handler.handle(eventOf('product.updated', productObject({ name: 'Newer' }), 200));
    expect(await handler.handle(eventOf('product.updated', productObject({ name: 'Older' }), 100))).toBe('stale');
    expect(gateway.plans.get(7)?.name).toBe('Newer');
    expect(publisher.foreignProducts).toHaveLength(1);
  });

  it('is not synced yet while no plan is linked to the product', async () => {
    const { handler } = await handlerWithFakes(ProductUpdatedHandler);
    const error = await handler.handle(eventOf('product.updated', productObject())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotYetSyncedError);
    expect(error).toMatchObject({ reasonCode: 'stripe.plan-not-found' });
  });

  it('does not change the plan of a deleted product', async () => {
    const { handler, gateway, objects, publisher } = await handlerWithFakes(ProductUpdatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1', name: 'Kept' });
    objects.deleted.add('prod_1');
    expect(await handler.handle(eventOf('product.updated', productObject({ name: 'Zombie' }), 2_000_000_000))).toBe('stale');
    expect(gateway.plans.get(7)?.name).toBe('Kept');
    expect(publisher.foreignProducts).toEqual([]);
  });
});
