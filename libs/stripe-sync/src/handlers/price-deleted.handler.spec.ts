import { eventOf, handlerWithFakes, priceObject } from '../testing/handler-test-kit.js';
import { PriceDeletedHandler } from './price-deleted.handler.js';

describe('PriceDeletedHandler', () => {
  it("deletes the price's tier", async () => {
    const { handler, gateway } = await handlerWithFakes(PriceDeletedHandler);
    gateway.addTier(7, { foreignServiceId: 'price_1' });
    expect(await handler.handle(eventOf('price.deleted', priceObject()))).toBe('processed');
    expect(gateway.tiers.has('price_1')).toBe(false);
  });

  it('skips a price whose tier is already gone', async () => {
    const { handler } = await handlerWithFakes(PriceDeletedHandler);
    expect(await handler.handle(eventOf('price.deleted', priceObject()))).toBe('skipped');
  });

  it('leaves a tombstone, whether or not there was anything to delete', async () => {
    const { handler, objects } = await handlerWithFakes(PriceDeletedHandler);
    await handler.handle(eventOf('price.deleted', priceObject()));
    expect(objects.deleted.has('price_1')).toBe(true);
  });
});
