// End to end against the real stand-ins (OIDC server and GraphQL test gateway, in-process).
import { seedDemoData, type DemoData } from '../../../peers/gateway/seed.js';
import { startGatewayClient } from '../../../test/support/gateway-peers.js';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { BillingGatewayClient, type BillingPriceTier } from './billing-gateway.client.js';

describe('BillingGatewayClient end to end (real OIDC server, real test gateway)', () => {
  let peers: Awaited<ReturnType<typeof startGatewayClient>>;
  let demo: DemoData;
  let billing: BillingGatewayClient;

  const applied = (field: string) => peers.gateway.mutations.filter((m) => m.field === field && m.outcome === 'applied');
  const unknownTier = (): BillingPriceTier => ({
    nodeId: encodeNodeId('PriceTier', 987654),
    name: 'x',
    price: 1,
    status: 'ACTIVE',
    foreignServiceId: null,
  });

  beforeAll(async () => {
    demo = seedDemoData();
    peers = await startGatewayClient(demo.store);
    billing = new BillingGatewayClient(peers.graphql);
  });

  afterAll(() => peers.stop());

  it('clientIdByCustomerId returns the client GUID; null when unknown', async () => {
    await expect(billing.clientIdByCustomerId('cus_demo_coffee')).resolves.toBe(demo.activeClient.id);
    await expect(billing.clientIdByCustomerId('cus_nobody')).resolves.toBeNull();
  });

  it('paymentConfirmationByCode finds a confirmation by Stripe invoice id; null when unknown', async () => {
    await expect(billing.paymentConfirmationByCode('in_demo_0001')).resolves.toEqual({
      id: demo.paymentConfirmation.id,
      nodeId: expect.any(String),
    });
    await expect(billing.paymentConfirmationByCode('in_unknown')).resolves.toBeNull();
  });

  it('records a checkout: payment confirmation, then plan subscription, each applied once and findable for idempotency', async () => {
    const shop = demo.store.addClient({ name: 'Checkout Shop', customerId: 'cus_checkout' });
    const clientId = await billing.clientIdByCustomerId('cus_checkout');
    expect(clientId).toBe(shop.id);
    const confirmation = await billing.createPaymentConfirmation('in_checkout_1', 1);
    expect(confirmation.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(billing.hasPlanSubscriptionFor(confirmation.nodeId)).resolves.toBe(false);

    await billing.createPlanSubscription({
      clientId: clientId!,
      paymentConfirmationId: confirmation.nodeId,
      priceTierForeignServiceId: 'price_demo_pro_monthly',
    });
    await expect(billing.hasPlanSubscriptionFor(confirmation.id)).resolves.toBe(true);
    await expect(billing.paymentConfirmationByCode('in_checkout_1')).resolves.toEqual(confirmation);
    expect(applied('createPaymentConfirmation').filter((m) => m.input['confirmationId'] === 'in_checkout_1')).toHaveLength(1);
    expect(applied('createPlanSubscription').filter((m) => m.input['paymentConfirmationId'] === confirmation.id)).toHaveLength(1);
    // the gateway got GUIDs, not node ids
    expect(applied('createPlanSubscription').at(-1)?.input).toEqual({
      clientId: shop.id,
      paymentConfirmationId: confirmation.id,
      priceTierForeignServiceId: 'price_demo_pro_monthly',
    });
  });

  it('createPlanSubscription for an unknown price is a permanent GatewayBusinessError(PlanCreationError)', async () => {
    const error = await billing
      .createPlanSubscription({
        clientId: demo.activeClient.id,
        paymentConfirmationId: demo.paymentConfirmation.id,
        priceTierForeignServiceId: 'price_nope',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayBusinessError);
    expect(error).toMatchObject({ errorType: 'PlanCreationError', transient: false, notFound: false });
  });

  it('finds plans by Int key and by Stripe product id', async () => {
    await expect(billing.planById(1)).resolves.toMatchObject({ id: 1, name: 'Basic', foreignServiceId: 'prod_demo_basic', isActive: true });
    await expect(billing.planById(999)).resolves.toBeNull();
    await expect(billing.planByForeignId('prod_demo_pro')).resolves.toMatchObject({ id: 2, name: 'Pro' });
    await expect(billing.priceTierByForeignId('price_demo_pro_yearly')).resolves.toMatchObject({ price: 299, status: 'ACTIVE' });
    await expect(billing.planByForeignId('prod_unknown')).resolves.toBeNull();
    await expect(billing.planById(0)).rejects.toMatchObject({ name: 'GatewayBusinessError', errorType: 'InvalidId' });
  });

  it('patchPlan updates a plan, upsertPriceTier adds a price tier keeping isActive; an unknown plan is notFound', async () => {
    const draft = demo.store.addPlan({ name: 'Draft', isActive: true });
    const changes = {
      name: 'Starter',
      description: 'For small shops',
      iconUrl: 'https://example.test/starter.png',
      isActive: false,
      foreignServiceId: 'prod_starter',
    };
    const patched = await billing.patchPlan(draft.id, changes);
    expect(patched).toMatchObject({ id: draft.id, name: 'Starter', isActive: false, foreignServiceId: 'prod_starter' });
    await billing.upsertPriceTier(patched, {
      foreignServiceId: 'price_starter_monthly',
      name: 'Starter monthly',
      price: '4.50',
      status: 'ACTIVE',
      duration: 'P30D',
    });
    await expect(billing.priceTierByForeignId('price_starter_monthly')).resolves.toMatchObject({ name: 'Starter monthly', price: 4.5 });
    await expect(billing.planById(draft.id)).resolves.toMatchObject({ isActive: false });

    const error = await billing.patchPlan(4242, changes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayBusinessError);
    expect(error).toMatchObject({ errorType: 'PlanNotFoundError', notFound: true });
  });

  it('patchPriceTier and deletePriceTier work by node id; deleting an unknown tier is notFound', async () => {
    const plan = demo.store.addPlan({ name: 'Tiered', foreignServiceId: 'prod_tiered' });
    demo.store.addPriceTier(plan.id, { name: 'Old', price: 1, foreignServiceId: 'price_tiered' });
    const tier = (await billing.priceTierByForeignId('price_tiered'))!;
    await billing.patchPriceTier(tier, { price: '12.50', name: 'New', status: 'ACTIVE' });
    await expect(billing.priceTierByForeignId('price_tiered')).resolves.toMatchObject({ nodeId: tier.nodeId, price: 12.5, name: 'New' });
    await expect(billing.deletePriceTier(tier)).resolves.toBe('deleted');
    await expect(billing.priceTierByForeignId('price_tiered')).resolves.toMatchObject({ status: 'INACTIVE' });
    await expect(billing.deletePriceTier(unknownTier())).resolves.toBe('notFound');
    await expect(billing.patchPriceTier(unknownTier(), { price: '1', name: 'x', status: 'ACTIVE' })).rejects.toMatchObject({
      notFound: true,
    });
  });

  it('deletePlan deletes once and answers notFound when redelivered', async () => {
    const plan = demo.store.addPlan({ name: 'Doomed', foreignServiceId: 'prod_doomed' });
    const found = (await billing.planByForeignId('prod_doomed'))!;
    expect(found.id).toBe(plan.id);
    await expect(billing.deletePlan(found)).resolves.toBe('deleted');
    await expect(billing.deletePlan(found)).resolves.toBe('notFound');
    await expect(billing.planByForeignId('prod_doomed')).resolves.toBeNull();
    expect(applied('deletePlan')).toHaveLength(1);
  });
});
