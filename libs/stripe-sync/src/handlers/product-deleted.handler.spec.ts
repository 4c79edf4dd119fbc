import { eventOf, handlerWithFakes, productObject } from '../testing/handler-test-kit.js';
import { ProductDeletedHandler } from './product-deleted.handler.js';

describe('ProductDeletedHandler', () => {
  it('deletes the plan linked to the product', async () => {
    const { handler, gateway } = await handlerWithFakes(ProductDeletedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1' });
    expect(await handler.handle(eventOf('product.deleted', productObject()))).toBe('processed');
    expect(gateway.plans.size).toBe(0);
  });

  it('skips a product whose plan is already gone', async () => {
    const { handler } = await handlerWithFakes(ProductDeletedHandler);
    expect(await handler.handle(eventOf('product.deleted', productObject()))).toBe('skipped');
  });

  it('leaves a tombstone, whether or not there was anything to delete', async () => {
    const { handler, objects } = await handlerWithFakes(ProductDeletedHandler);
    await handler.handle(eventOf('product.deleted', productObject()));
    expect(objects.deleted.has('prod_1')).toBe(true);
  });
});
