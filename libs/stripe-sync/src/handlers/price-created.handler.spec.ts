import { NotYetSyncedError } from '../stripe-event.errors.js';
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

  it.each([
    [{ interval: 'year', interval_count: 1 }, 'P365D'],
    [{ interval: 'month', interval_count: 12 }, 'P365D'],
    [{ interval: 'week', interval_count: 1 }, 'P7D'],
  ])('gives a %j price the duration %s', async (recurring, duration) => {
    const { handler, gateway } = await handlerWithFakes(PriceCreatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1' });
    await handler.handle(eventOf('price.created', priceObject({ recurring })));
    expect(gateway.tiers.get('price_1')).toMatchObject({ duration });
  });

  it('fails permanently, naming the price, for a period the gateway cannot express (every 3 months)', async () => {
    const { handler, gateway } = await handlerWithFakes(PriceCreatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1' });
    await expect(
      handler.handle(eventOf('price.created', priceObject({ recurring: { interval: 'month', interval_count: 3 } }))),
    ).rejects.toMatchObject({
      reasonCode: 'stripe.price-interval-unsupported',
      message: expect.stringContaining('price price_1 bills every 3 month(s)'),
    });
    expect(gateway.tiers.size).toBe(0);
  });

  it('is not synced yet while no plan is linked to the product', async () => {
    const { handler } = await handlerWithFakes(PriceCreatedHandler);
    const error = await handler.handle(eventOf('price.created', priceObject())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotYetSyncedError);
    expect(error).toMatchObject({ reasonCode: 'stripe.plan-not-found', message: 'no plan is linked to product prod_1 of price price_1' });
  });

  it('does not bring back a deleted price (stale)', async () => {
    const { handler, gateway, objects } = await handlerWithFakes(PriceCreatedHandler);
    gateway.addPlan({ id: 7, foreignServiceId: 'prod_1' });
    objects.deleted.add('price_1');
    expect(await handler.handle(eventOf('price.created', priceObject()))).toBe('stale');
    expect(gateway.tiers.size).toBe(0);
  });
});
