import { NotYetSyncedError } from '../stripe-event.errors.js';
import { eventOf, handlerWithFakes, priceObject } from '../testing/handler-test-kit.js';
import { PriceUpdatedHandler } from './price-updated.handler.js';

describe('PriceUpdatedHandler', () => {
  it('patches the tier with the amount, name and status', async () => {
    const { handler, gateway } = await handlerWithFakes(PriceUpdatedHandler);
    gateway.addTier(7, { foreignServiceId: 'price_1', name: 'Old' });
    expect(await handler.handle(eventOf('price.updated', priceObject({ unit_amount: 1999, active: false })))).toBe('processed');
    expect(gateway.tiers.get('price_1')).toMatchObject({ name: 'Monthly', price: 19.99, status: 'INACTIVE' });
  });

  it('skips an event older than one already applied', async () => {
    const { handler, gateway } = await handlerWithFakes(PriceUpdatedHandler);
    gateway.addTier(7, { foreignServiceId: 'price_1' });
    await handler.handle(eventOf('price.updated', priceObject({ nickname: 'Newer' }), 200));
    expect(await handler.handle(eventOf('price.updated', priceObject({ nickname: 'Older' }), 100))).toBe('stale');
    expect(gateway.tiers.get('price_1')?.name).toBe('Newer');
  });

  it('is not synced yet while no tier has the price id (its price.created may come later)', async () => {
    const { handler } = await handlerWithFakes(PriceUpdatedHandler);
    const error = await handler.handle(eventOf('price.updated', priceObject())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotYetSyncedError);
    expect(error).toMatchObject({ reasonCode: 'stripe.price-tier-not-found' });
  });
});
