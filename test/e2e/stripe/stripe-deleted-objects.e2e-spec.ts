// A deleted product or price leaves a tombstone in Redis, so a `*.created` that arrives after the
// deletion (Stripe delivers in no fixed order; a retry or stripe-reconcile can bring it late) never
// brings the object back. Before, creations were always applied: a late price.created re-activated
// the deleted tier, a late product.created invited admins to create a plan for a deleted product.
import { Redis } from 'ioredis';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { stackEnv } from '../../support/stack.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { nowSeconds, priceObject, productObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

describe('Stripe deletions are final: a late create does not bring the object back', () => {
  let h: StripeHarness;
  let redis: Redis;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-deleted-objects');
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: h.redisPrefix });
  });
  afterAll(async () => {
    redis.disconnect();
    await h.stop();
  });

  const mutationsOf = (field: string, id: unknown) => h.gateway.mutations.filter((m) => m.field === field && m.input['id'] === id);
  const productMessages = (productId: string) => h.kafka.read(h.topics.foreignProducts, (m) => m.key?.includes(`"${productId}"`) ?? false);

  it('price.created arriving after price.deleted: stale, the tier stays deleted (INACTIVE) and the plan untouched', async () => {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name: 'Tiered', foreignServiceId: productId });
    const priceId = stripeId('price');
    const tier = h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 9.99, foreignServiceId: priceId });
    const t = nowSeconds() - 100;
    const deleted = stripeEvent('price.deleted', priceObject({ id: priceId, product: productId, active: false }), { created: t + 10 });
    const created = stripeEvent('price.created', priceObject({ id: priceId, product: productId, active: true }), { created: t });

    expect(outcomeOf(await deliver(h.endpoint, deleted))).toBe('processed');
    expect(h.gateway.store.priceTiers.get(tier.id)?.status).toBe('INACTIVE');
    const late = await deliver(h.endpoint, created);
    expect(late.status).toBe(200);
    expect(outcomeOf(late)).toBe('stale');
    expect(h.gateway.store.priceTiers.get(tier.id)?.status).toBe('INACTIVE');
    expect(mutationsOf('patchPlan', plan.id)).toEqual([]);
  });

  it('price.deleted before its price.created: nothing to delete, and the create that follows creates nothing', async () => {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name: 'Never priced', foreignServiceId: productId });
    const price = priceObject({ product: productId });
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('price.deleted', { ...price, active: false })))).toBe('skipped');
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('price.created', price)))).toBe('stale');
    expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([]);
  });

  it('product.created arriving after product.deleted: stale, no foreignProduct.created for the deleted product', async () => {
    const product = productObject({ name: 'Withdrawn' });
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('product.deleted', { ...product, active: false })))).toBe('skipped');
    const [mutations, messages] = [h.gateway.mutations.length, await h.kafka.count(h.topics.foreignProducts)];
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('product.created', product, { created: nowSeconds() - 30 })))).toBe('stale');
    expect(await h.kafka.count(h.topics.foreignProducts)).toBe(messages);
    expect(productMessages(product.id)).toEqual([]);
    expect(h.gateway.mutations.length).toBe(mutations);
  });

  it('product.created linking a plan, after the product (and its plan) were deleted: stale, not a dead letter', async () => {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name: 'Retired plan', foreignServiceId: productId });
    const product = productObject({ id: productId, metadata: { planId: String(plan.id) } });
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('product.deleted', { ...product, active: false })))).toBe('processed');
    expect(mutationsOf('deletePlan', encodeNodeId('Plan', plan.id))).toHaveLength(1);
    const letters = await h.kafka.count(h.topics.deadletter);
    expect(outcomeOf(await deliver(h.endpoint, stripeEvent('product.created', product, { created: nowSeconds() - 30 })))).toBe('stale');
    expect(await h.kafka.count(h.topics.deadletter)).toBe(letters);
    expect(h.gateway.store.plans.has(plan.id)).toBe(false);
  });

  it('keeps the tombstone 31 days: the events API keeps events 30 days for stripe-reconcile, plus a day', async () => {
    const price = priceObject();
    await deliver(h.endpoint, stripeEvent('price.deleted', price));
    const ttl = await redis.ttl(`stripe:object:{${price.id}}:deleted`);
    expect(ttl).toBeGreaterThan(31 * 86_400 - 60);
    expect(ttl).toBeLessThanOrEqual(31 * 86_400);
  });
});
