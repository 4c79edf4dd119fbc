import { eventOf, handlerWithFakes, productObject } from '../testing/handler-test-kit.js';
import { ProductCreatedHandler } from './product-created.handler.js';

describe('ProductCreatedHandler', () => {
  it('updates the linked plan and publishes foreignProduct.synchronized', async () => {
    const { handler, gateway, publisher } = await handlerWithFakes(ProductCreatedHandler);
    gateway.addPlan({ id: 7, name: 'Old' });
    expect(await handler.handle(eventOf('product.created', productObject({ metadata: { planId: '7' } })))).toBe('processed');
    expect(gateway.plans.get(7)).toMatchObject({ name: 'Gold', foreignServiceId: 'prod_1', isActive: true });
    expect(publisher.foreignProducts).toEqual([
      expect.objectContaining({ planNodeId: 'plan-7', foreignProductId: 'prod_1', name: 'Gold', iconUrl: 'https://img.example/gold.png' }),
    ]);
  });

  it('publishes foreignProduct.created for a product linked to no plan', async () => {
    const { handler, gateway, publisher } = await handlerWithFakes(ProductCreatedHandler);
    expect(await handler.handle(eventOf('product.created', productObject()))).toBe('processed');
    expect(gateway.plans.size).toBe(0);
    expect(publisher.foreignProducts).toEqual([
      expect.objectContaining({ foreignProductId: 'prod_1', name: 'Gold', description: 'The gold plan' }),
    ]);
    expect(publisher.foreignProducts[0]).not.toHaveProperty('planNodeId');
  });

  it('does not bring back a deleted product: no plan change, nothing published (stale)', async () => {
    const { handler, gateway, objects, publisher } = await handlerWithFakes(ProductCreatedHandler);
    gateway.addPlan({ id: 7, name: 'Old' });
    objects.deleted.add('prod_1');
    expect(await handler.handle(eventOf('product.created', productObject({ metadata: { planId: '7' } })))).toBe('stale');
    expect(await handler.handle(eventOf('product.created', productObject()))).toBe('stale');
    expect(gateway.plans.get(7)?.name).toBe('Old');
    expect(publisher.foreignProducts).toEqual([]);
  });

  it('fails permanently for a planId that is not a plan id', async () => {
    const { handler } = await handlerWithFakes(ProductCreatedHandler);
    await expect(handler.handle(eventOf('product.created', productObject({ metadata: { planId: 'x!' } })))).rejects.toMatchObject({
      reasonCode: 'stripe.invalid-plan-link',
    });
  });
});
