import { eventOf, handlerWithFakes, priceObject } from '../testing/handler-test-kit.js';
import { PriceCreatedHandler } from './price-created.handler.js';

describe('PriceCreatedHandler', () => {
  it("adds a tier to the product's plan, keyed by the price id", async () => {
    const { handler, gateway } = await handlerWithFakes(PriceCreatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1' });
    expect(await handler.handle(eventOf('price.created', priceObject()))).toBe('processed');
    expect(gateway.tiers.get('price_1')).toMatchObject({ planId: 7, name: 'Monthly', price: 9.99, status: 'ACTIVE', duration: 'P30D' });
  });

  it('names the tier after the plan when the price has no nickname and the product is not expanded', async () => {
    const { handler, gateway } = await handlerWithFakes(PriceCreatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1', name: 'Gold' });
    await handler.handle(eventOf('price.created', priceObject({ nickname: null, active: false })));
    expect(gateway.tiers.get('price_1')).toMatchObject({ name: 'Gold', status: 'INACTIVE' });
  });

  it('fails permanently when no plan is linked to the product', async () => {
    const { handler } = await handlerWithFakes(PriceCreatedHandler);
    await expect(handler.handle(eventOf('price.created', priceObject()))).rejects.toMatchObject({ reasonCode: 'stripe.plan-not-found' });
  });
});
