import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import { readLikeCSharpOrThrow } from '../../support/csharp/strict-reader.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { nowSeconds, priceObject, productObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

/** `created` of an event older than the not-yet-synced grace period (default 1 h): missing objects are permanent. */
const pastGrace = () => nowSeconds() - 2 * 3600;

describe('Stripe catalog sync: products and prices to Nudges plans and price tiers', () => {
  let h: StripeHarness;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-catalog');
  });
  afterAll(() => h.stop());

  const mutationsFor = (field: string, match: (input: Record<string, unknown>) => boolean) =>
    h.gateway.mutations.filter((m) => m.field === field && match(m.input));
  const productMessages = (productId: string) =>
    h.kafka.waitFor(h.topics.foreignProducts, (m) => m.key?.includes(`"${productId}"`) ?? false);

  /** A plan linked to a Stripe product, as product.created leaves it. */
  function linkedPlan(name = 'Pro') {
    const productId = stripeId('prod');
    const plan = h.gateway.store.addPlan({ name, foreignServiceId: productId, isActive: true });
    return { productId, plan };
  }

  describe('product.created', () => {
    it('publishes foreignProduct.created for a product no plan is linked to, without touching plans', async () => {
      const product = productObject({ name: 'Nudges Starter', description: null });
      const before = h.gateway.mutations.length;
      const res = await deliver(h.endpoint, stripeEvent('product.created', product));
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('processed');
      const [message] = await productMessages(product.id);
      expect(message?.key).toBe(`{"EventType":"foreignProduct.created","EventKey":"${product.id}"}`);
      expect(message?.value).toBe(
        `{"$type":"foreignProduct.created","ForeignProductId":"${product.id}","Name":"Nudges Starter","Description":null,"IconUrl":"${product.images[0]}"}`,
      );
      expect(readLikeCSharpOrThrow('ForeignProductEventKey', message!.key!)).toEqual({
        EventType: 'foreignProduct.created',
        EventKey: product.id,
      });
      expect(readLikeCSharpOrThrow('ForeignProductEvent', message!.value!)).toEqual({
        $type: 'foreignProduct.created',
        ForeignProductId: product.id,
        Name: 'Nudges Starter',
        Description: null,
        IconUrl: product.images[0],
      });
      expect(h.gateway.mutations.length).toBe(before);
    });

    it.each([
      ['its Int key', (id: number) => String(id)],
      ['its global id', (id: number) => encodeNodeId('Plan', id)],
    ])('patches the plan linked by metadata planId (%s) and publishes foreignProduct.synchronized', async (_, link) => {
      const plan = h.gateway.store.addPlan({ name: 'Placeholder', isActive: false });
      const product = productObject({ name: 'Nudges Pro', description: 'Unlimited announcements', metadata: { planId: link(plan.id) } });
      const res = await deliver(h.endpoint, stripeEvent('product.created', product));
      expect(outcomeOf(res)).toBe('processed');
      expect(h.gateway.store.plans.get(plan.id)).toMatchObject({
        name: 'Nudges Pro',
        description: 'Unlimited announcements',
        iconUrl: product.images[0],
        isActive: true,
        foreignServiceId: product.id,
      });
      const [message] = await productMessages(product.id);
      expect(message?.key).toBe(`{"EventType":"foreignProduct.synchronized","EventKey":"${product.id}"}`);
      expect(message?.value).toBe(
        `{"$type":"foreignProduct.synchronized","PlanNodeId":"${encodeNodeId('Plan', plan.id)}","ForeignProductId":"${product.id}","Name":"Nudges Pro","Description":"Unlimited announcements","IconUrl":"${product.images[0]}"}`,
      );
      expect(readLikeCSharpOrThrow('ForeignProductEvent', message!.value!)).toMatchObject({
        $type: 'foreignProduct.synchronized',
        PlanNodeId: encodeNodeId('Plan', plan.id),
        ForeignProductId: product.id,
      });
    });

    it('dead-letters a product whose metadata links a plan that does not exist (stripe.plan-not-found)', async () => {
      const event = stripeEvent('product.created', productObject({ metadata: { planId: '999999' } }));
      const res = await deliver(h.endpoint, event);
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('deadlettered');
      const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
      const decoded = decodeDeadLetter(record?.value ?? '');
      expect(decoded.ok && decoded.value).toMatchObject({
        topic: 'http:StripeWebhookHandler',
        edge: { reasonCode: 'stripe.plan-not-found', stripeEventId: event.id, stripeEventType: 'product.created' },
      });
    });
  });

  describe('product.updated', () => {
    it('patches the plan found by foreign id: name, description, icon, active', async () => {
      const { productId, plan } = linkedPlan('Old name');
      const product = productObject({
        id: productId,
        name: 'Nudges Team',
        description: 'For teams',
        images: ['https://img.example.com/team.png'],
        active: false,
      });
      const res = await deliver(
        h.endpoint,
        stripeEvent('product.updated', product, { previousAttributes: { name: 'Old name', active: true } }),
      );
      expect(outcomeOf(res)).toBe('processed');
      expect(h.gateway.store.plans.get(plan.id)).toMatchObject({
        name: 'Nudges Team',
        description: 'For teams',
        iconUrl: 'https://img.example.com/team.png',
        isActive: false,
      });
      const [message] = await productMessages(productId);
      expect(JSON.parse(message?.value ?? '{}')).toMatchObject({
        $type: 'foreignProduct.synchronized',
        PlanNodeId: encodeNodeId('Plan', plan.id),
      });
    });

    it('does not let an older update that arrives later overwrite a newer one', async () => {
      const { productId, plan } = linkedPlan();
      const t = nowSeconds() - 100;
      const newer = stripeEvent('product.updated', productObject({ id: productId, name: 'Newer' }), { created: t + 10 });
      const older = stripeEvent('product.updated', productObject({ id: productId, name: 'Older' }), { created: t });
      expect(outcomeOf(await deliver(h.endpoint, newer))).toBe('processed');
      const res = await deliver(h.endpoint, older);
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('stale');
      expect(h.gateway.store.plans.get(plan.id)?.name).toBe('Newer');
      expect(mutationsFor('patchPlan', (i) => i['id'] === plan.id)).toHaveLength(1);
    });

    it('applies an update of the same second and a newer one after it', async () => {
      const { productId, plan } = linkedPlan();
      const t = nowSeconds() - 50;
      await deliver(h.endpoint, stripeEvent('product.updated', productObject({ id: productId, name: 'First' }), { created: t }));
      await deliver(h.endpoint, stripeEvent('product.updated', productObject({ id: productId, name: 'Same second' }), { created: t }));
      expect(h.gateway.store.plans.get(plan.id)?.name).toBe('Same second');
      await deliver(h.endpoint, stripeEvent('product.updated', productObject({ id: productId, name: 'Later' }), { created: t + 1 }));
      expect(h.gateway.store.plans.get(plan.id)?.name).toBe('Later');
    });

    it('answers a duplicate delivery 200 without any effect', async () => {
      const { productId } = linkedPlan();
      const event = stripeEvent('product.updated', productObject({ id: productId, name: 'Once' }));
      expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
      await productMessages(productId);
      const mutations = h.gateway.mutations.length;
      const messages = await h.kafka.count(h.topics.foreignProducts);
      const again = await deliver(h.endpoint, event);
      expect(again.status).toBe(200);
      expect(outcomeOf(again)).toBe('duplicate');
      expect(h.gateway.mutations.length).toBe(mutations);
      expect(await h.kafka.count(h.topics.foreignProducts)).toBe(messages);
    });

    it('dead-letters an update of a product no plan is linked to after the grace period, keeping the exact event bytes', async () => {
      const event = stripeEvent('product.updated', productObject(), { created: pastGrace() });
      const body = JSON.stringify(event);
      const res = await deliver(h.endpoint, body);
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('deadlettered');
      const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
      expect(record?.key).toMatch(
        /^\{"EventKey":\{"Type":"MessageFailed","Id":"[0-9a-f-]{36}"\},"FailedKey":\{"Type":"stripe:product.updated","Id":"[0-9a-f-]{36}"\}\}$/,
      );
      expect(record?.value?.startsWith('{"ExceptionType":"stripe.plan-not-found","ExceptionMessage":')).toBe(true);
      const decoded = decodeDeadLetter(record?.value ?? '');
      if (!decoded.ok) throw new Error(decoded.error.message);
      expect(decoded.value).toMatchObject({
        attemptCount: 1,
        failureType: 2,
        originalValueJson: body,
        edge: {
          source: 'webhooks',
          reasonCode: 'stripe.plan-not-found',
          stripeEventId: event.id,
          stripeEventType: 'product.updated',
          original: { key: null, value: { encoding: 'utf8', data: body } },
        },
      });
      // Acknowledged for good: a redelivery is a duplicate, not a second dead letter.
      expect(outcomeOf(await deliver(h.endpoint, body))).toBe('duplicate');
    });

    it('dead-letters an event the gateway refuses with AUTH_NOT_AUTHORIZED (stripe.gateway-refused)', async () => {
      const { productId } = linkedPlan();
      const event = stripeEvent('product.updated', productObject({ id: productId }));
      h.gateway.failNext(1, 'notAuthorized');
      const res = await deliver(h.endpoint, event);
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('deadlettered');
      const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
      expect(JSON.parse(record?.value ?? '{}')).toMatchObject({
        ExceptionType: 'stripe.gateway-refused',
        ReasonCode: 'stripe.gateway-refused',
      });
    });
  });

  describe('product.deleted', () => {
    it('deletes the linked plan, and acknowledges a later deletion of the same product as nothing to do', async () => {
      const { productId, plan } = linkedPlan();
      const res = await deliver(h.endpoint, stripeEvent('product.deleted', productObject({ id: productId, active: false })));
      expect(outcomeOf(res)).toBe('processed');
      expect(h.gateway.store.plans.has(plan.id)).toBe(false);
      expect(mutationsFor('deletePlan', (i) => i['id'] === encodeNodeId('Plan', plan.id))).toHaveLength(1);
      const again = await deliver(h.endpoint, stripeEvent('product.deleted', productObject({ id: productId, active: false })));
      expect(again.status).toBe(200);
      expect(outcomeOf(again)).toBe('skipped');
    });

    it('skips an older update arriving after the deletion', async () => {
      const { productId } = linkedPlan();
      const t = nowSeconds() - 30;
      await deliver(h.endpoint, stripeEvent('product.deleted', productObject({ id: productId })), {});
      const before = h.gateway.mutations.length;
      const late = await deliver(
        h.endpoint,
        stripeEvent('product.updated', productObject({ id: productId, name: 'Zombie' }), { created: t }),
      );
      expect(outcomeOf(late)).toBe('stale');
      expect(h.gateway.mutations.length).toBe(before);
    });
  });

  describe('price.created', () => {
    it('adds a price tier to the plan of the product: price id, nickname, amount in major units, status, duration', async () => {
      const { productId, plan } = linkedPlan();
      const price = priceObject({ product: productId, nickname: 'Monthly', currency: 'usd', unitAmount: 999 });
      const res = await deliver(h.endpoint, stripeEvent('price.created', price));
      expect(outcomeOf(res)).toBe('processed');
      const [tier] = h.gateway.store.priceTiersOf(plan.id);
      expect(tier).toMatchObject({ foreignServiceId: price.id, name: 'Monthly', price: 9.99, status: 'ACTIVE', duration: 'P30D' });
      const [mutation] = mutationsFor('patchPlan', (i) => i['id'] === plan.id);
      expect(mutation?.input).toMatchObject({ isActive: true, priceTiers: [{ foreignServiceId: price.id, price: 9.99 }] });
    });

    it('uses the product name when the price has no nickname, and keeps zero-decimal amounts (JPY 500 → 500)', async () => {
      const { productId, plan } = linkedPlan('Nudges Pro');
      const price = priceObject({ product: productId, nickname: null, currency: 'jpy', unitAmount: 500, interval: 'year' });
      expect(outcomeOf(await deliver(h.endpoint, stripeEvent('price.created', price)))).toBe('processed');
      expect(h.gateway.store.priceTiersOf(plan.id)).toEqual([
        expect.objectContaining({ foreignServiceId: price.id, name: 'Nudges Pro', price: 500, duration: 'P365D' }),
      ]);
    });

    it('keeps the plan inactive when it was inactive (patchPlan would otherwise clear isActive)', async () => {
      const productId = stripeId('prod');
      const plan = h.gateway.store.addPlan({ name: 'Retired', foreignServiceId: productId, isActive: false });
      await deliver(h.endpoint, stripeEvent('price.created', priceObject({ product: productId })));
      expect(h.gateway.store.plans.get(plan.id)?.isActive).toBe(false);
    });

    it('dead-letters a price of a product no plan is linked to after the grace period', async () => {
      const event = stripeEvent('price.created', priceObject(), { created: pastGrace() });
      const res = await deliver(h.endpoint, event);
      expect(outcomeOf(res)).toBe('deadlettered');
      const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
      expect(JSON.parse(record?.value ?? '{}')).toMatchObject({ ReasonCode: 'stripe.plan-not-found', StripeEventType: 'price.created' });
    });

    it('dead-letters a tiered price, which has no unit amount', async () => {
      const { productId } = linkedPlan();
      const event = stripeEvent('price.created', {
        ...priceObject({ product: productId, unitAmount: null }),
        billing_scheme: 'tiered',
        tiers_mode: 'graduated',
      });
      expect(outcomeOf(await deliver(h.endpoint, event))).toBe('deadlettered');
      const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
      expect(JSON.parse(record?.value ?? '{}')).toMatchObject({ ReasonCode: 'stripe.price-amount-missing' });
    });
  });

  describe('price.updated and price.deleted', () => {
    function planWithTier(priceId = stripeId('price')) {
      const { productId, plan } = linkedPlan();
      const tier = h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 9.99, foreignServiceId: priceId });
      return { productId, plan, tier, priceId };
    }

    it('patches the tier: amount, name and status', async () => {
      const { productId, tier, priceId } = planWithTier();
      const price = priceObject({ id: priceId, product: productId, nickname: 'Monthly (2025)', unitAmount: 1250, active: false });
      const res = await deliver(
        h.endpoint,
        stripeEvent('price.updated', price, { previousAttributes: { unit_amount: 999, active: true } }),
      );
      expect(outcomeOf(res)).toBe('processed');
      expect(h.gateway.store.priceTiers.get(tier.id)).toMatchObject({ name: 'Monthly (2025)', price: 12.5, status: 'INACTIVE' });
      expect(mutationsFor('patchPriceTier', (i) => i['id'] === encodeNodeId('PriceTier', tier.id))[0]?.input).toMatchObject({
        price: 12.5,
        status: 'INACTIVE',
      });
    });

    it('does not let an older price update that arrives later overwrite a newer one', async () => {
      const { productId, tier, priceId } = planWithTier();
      const t = nowSeconds() - 100;
      const newer = stripeEvent('price.updated', priceObject({ id: priceId, product: productId, unitAmount: 2000 }), { created: t + 5 });
      const older = stripeEvent('price.updated', priceObject({ id: priceId, product: productId, unitAmount: 1000 }), { created: t });
      expect(outcomeOf(await deliver(h.endpoint, newer))).toBe('processed');
      expect(outcomeOf(await deliver(h.endpoint, older))).toBe('stale');
      expect(h.gateway.store.priceTiers.get(tier.id)?.price).toBe(20);
    });

    it('dead-letters an update of a price no tier is linked to after the grace period (stripe.price-tier-not-found)', async () => {
      const event = stripeEvent('price.updated', priceObject(), { created: pastGrace() });
      expect(outcomeOf(await deliver(h.endpoint, event))).toBe('deadlettered');
      const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
      expect(JSON.parse(record?.value ?? '{}')).toMatchObject({ ReasonCode: 'stripe.price-tier-not-found' });
    });

    it('deletes the tier of a deleted price', async () => {
      const { productId, tier, priceId } = planWithTier();
      const res = await deliver(h.endpoint, stripeEvent('price.deleted', priceObject({ id: priceId, product: productId, active: false })));
      expect(outcomeOf(res)).toBe('processed');
      expect(mutationsFor('deletePriceTier', (i) => i['id'] === encodeNodeId('PriceTier', tier.id))).toHaveLength(1);
      expect(h.gateway.store.priceTiers.get(tier.id)?.status).toBe('INACTIVE');
    });

    it('acknowledges the deletion of a price without a tier as nothing to do', async () => {
      const res = await deliver(h.endpoint, stripeEvent('price.deleted', priceObject()));
      expect(res.status).toBe(200);
      expect(outcomeOf(res)).toBe('skipped');
    });
  });
});
