// End to end against the real stand-ins: the Keycloak-shaped OIDC server and the GraphQL test
// gateway, both in-process on 127.0.0.1.
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../../peers/oidc/oidc-server.js';
import { startGateway, type TestGateway } from '../../../../peers/gateway/gateway-server.js';
import { seedDemoData, type DemoData } from '../../../../peers/gateway/seed.js';
import { gatewayConfigFrom, gatewayEnv } from '../config/gateway.env.js';
import { parseEnv } from '../config/env.js';
import { OidcUnavailableError } from '../oidc/oidc.errors.js';
import { OidcTokenProvider } from '../oidc/oidc-token-provider.js';
import { GatewayBusinessError, GatewayUnavailableError } from './gateway.errors.js';
import { GatewayModule } from './gateway.module.js';
import { NudgesGateway } from './nudges-gateway.js';
import { encodeNodeId } from './node-id.js';

describe('NudgesGateway end to end (real OIDC server, real test gateway)', () => {
  let oidc: OidcServer;
  let gateway: TestGateway;
  let demo: DemoData;
  let client: NudgesGateway;

  const oidcOptions = () => ({ serverUrl: oidc.serverUrl, realm: oidc.realm, ...DEFAULT_OIDC_CLIENT, timeoutMs: 2000 });
  const newClient = (timeoutMs = 3000) => {
    const tokens = new OidcTokenProvider(oidcOptions());
    return { tokens, gateway: new NudgesGateway({ url: gateway.url, timeoutMs }, tokens) };
  };
  const applied = (field: string) => gateway.mutations.filter((m) => m.field === field && m.outcome === 'applied');

  beforeAll(async () => {
    oidc = await startOidcServer();
    demo = seedDemoData();
    gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, audience: 'nudges-gateway', store: demo.store, slowMs: 1000 });
    client = newClient().gateway;
  });

  afterAll(async () => {
    client.onModuleDestroy();
    await gateway.stop();
    await oidc.stop();
  });

  afterEach(() => {
    gateway.setDown(false);
    oidc.setDown(false);
  });

  describe('Stripe flows', () => {
    it('clientByCustomerId returns the client, its GUID and its current subscription; null when unknown', async () => {
      const found = await client.clientByCustomerId('cus_demo_coffee');
      expect(found).toEqual({
        id: expect.any(String),
        uuid: demo.activeClient.id,
        name: 'Demo Coffee',
        customerId: 'cus_demo_coffee',
        subscription: {
          id: expect.any(String),
          status: 'ACTIVE',
          paymentConfirmationId: demo.paymentConfirmation.id,
          priceForeignServiceId: 'price_demo_basic_monthly',
        },
      });
      expect(found?.id).not.toBe(demo.activeClient.id); // an opaque node id
      await expect(client.clientByCustomerId('cus_nobody')).resolves.toBeNull();
    });

    it('paymentConfirmationByCode finds a confirmation by Stripe invoice id; null when unknown', async () => {
      await expect(client.paymentConfirmationByCode('in_demo_0001')).resolves.toEqual({
        id: expect.any(String),
        uuid: demo.paymentConfirmation.id,
        confirmationCode: 'in_demo_0001',
      });
      await expect(client.paymentConfirmationByCode('in_unknown')).resolves.toBeNull();
    });

    it('records a checkout: payment confirmation, then plan subscription, each applied once and findable for idempotency', async () => {
      const shop = demo.store.addClient({ name: 'Checkout Shop', customerId: 'cus_checkout' });
      const bakery = await client.clientByCustomerId('cus_checkout');
      expect(bakery?.subscription).toBeNull();
      const confirmation = await client.createPaymentConfirmation({ confirmationId: 'in_checkout_1', merchantServiceId: 1 });
      expect(confirmation.uuid).toMatch(/^[0-9a-f-]{36}$/);
      await expect(client.planSubscriptionByPaymentConfirmation(confirmation.id)).resolves.toBeNull();

      const subscription = await client.createPlanSubscription({
        clientId: bakery!.id,
        paymentConfirmationId: confirmation.id,
        priceTierForeignServiceId: 'price_demo_pro_monthly',
      });
      expect(subscription).toMatchObject({ status: 'ACTIVE', paymentConfirmationId: confirmation.uuid, priceForeignServiceId: 'price_demo_pro_monthly' });
      await expect(client.planSubscriptionByPaymentConfirmation(confirmation.uuid!)).resolves.toEqual(subscription);
      await expect(client.clientByCustomerId('cus_checkout')).resolves.toMatchObject({ subscription });
      expect(applied('createPaymentConfirmation').filter((m) => m.input['confirmationId'] === 'in_checkout_1')).toHaveLength(1);
      expect(applied('createPlanSubscription').filter((m) => m.input['paymentConfirmationId'] === confirmation.uuid)).toHaveLength(1);
      // the gateway got GUIDs, not node ids
      expect(applied('createPlanSubscription').at(-1)?.input).toEqual({
        clientId: shop.id,
        paymentConfirmationId: confirmation.uuid,
        priceTierForeignServiceId: 'price_demo_pro_monthly',
      });
    });

    it('createPlanSubscription for an unknown price is a permanent GatewayBusinessError(PlanCreationError)', async () => {
      const error = await client
        .createPlanSubscription({ clientId: demo.activeClient.id, paymentConfirmationId: demo.paymentConfirmation.id, priceTierForeignServiceId: 'price_nope' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayBusinessError);
      expect(error).toMatchObject({ errorType: 'PlanCreationError', transient: false, notFound: false });
    });

    it('finds plans by Int key (metadata planId, number or string) and by Stripe product id', async () => {
      const basic = await client.planById(1);
      expect(basic).toMatchObject({ databaseId: 1, name: 'Basic', foreignServiceId: 'prod_demo_basic', isActive: true });
      expect(basic?.priceTiers.map((t) => t.foreignServiceId)).toEqual(['price_demo_basic_monthly']);
      await expect(client.planById('2')).resolves.toMatchObject({ name: 'Pro', databaseId: 2 });
      await expect(client.planById(999)).resolves.toBeNull();
      const pro = await client.planByForeignId('prod_demo_pro');
      expect(pro).toMatchObject({ databaseId: 2, name: 'Pro' });
      expect(pro?.priceTiers.map((t) => [t.foreignServiceId, t.price, t.status])).toEqual([
        ['price_demo_pro_monthly', 29.99, 'ACTIVE'],
        ['price_demo_pro_yearly', 299, 'ACTIVE'],
      ]);
      await expect(client.planByForeignId('prod_unknown')).resolves.toBeNull();
      await expect(client.planById('abc')).rejects.toMatchObject({ name: 'GatewayBusinessError', errorType: 'InvalidId' });
    });

    it('patchPlan updates a plan and adds a price tier; an unknown plan is notFound', async () => {
      const plan = demo.store.addPlan({ name: 'Draft', isActive: true });
      const patched = await client.patchPlan(String(plan.id), {
        name: 'Starter',
        description: 'For small shops',
        iconUrl: 'https://example.test/starter.png',
        isActive: false,
        foreignServiceId: 'prod_starter',
        priceTiers: [{ foreignServiceId: 'price_starter_monthly', name: 'Starter monthly', price: 4.5, status: 'ACTIVE', duration: 'P30D' }],
      });
      expect(patched).toMatchObject({ databaseId: plan.id, name: 'Starter', isActive: false, foreignServiceId: 'prod_starter' });
      expect(patched.priceTiers).toEqual([expect.objectContaining({ foreignServiceId: 'price_starter_monthly', price: 4.5, planId: patched.id })]);
      await expect(client.priceTierByForeignId('price_starter_monthly')).resolves.toMatchObject({ name: 'Starter monthly', planId: patched.id });

      const error = await client.patchPlan(4242, { isActive: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayBusinessError);
      expect(error).toMatchObject({ errorType: 'PlanNotFoundError', notFound: true });
    });

    it('patchPriceTier and deletePriceTier work by node id; deleting an unknown tier is notFound', async () => {
      const plan = demo.store.addPlan({ name: 'Tiered', foreignServiceId: 'prod_tiered' });
      demo.store.addPriceTier(plan.id, { name: 'Old', price: 1, foreignServiceId: 'price_tiered' });
      const tier = await client.priceTierByForeignId('price_tiered');
      const updated = await client.patchPriceTier(tier!.id, { price: 12.5, name: 'New', status: 'ACTIVE' });
      expect(updated).toEqual({ planId: encodeNodeId('Plan', plan.id) });
      await expect(client.priceTierByForeignId('price_tiered')).resolves.toMatchObject({ id: tier!.id, price: 12.5, name: 'New' });
      await expect(client.deletePriceTier(tier!.id)).resolves.toBe('deleted');
      await expect(client.priceTierByForeignId('price_tiered')).resolves.toMatchObject({ status: 'INACTIVE' });
      await expect(client.deletePriceTier(encodeNodeId('PriceTier', 987654))).resolves.toBe('notFound');
      await expect(client.patchPriceTier(encodeNodeId('PriceTier', 987654), { price: 1 })).rejects.toMatchObject({ notFound: true });
    });

    it('deletePlan deletes once and answers notFound when redelivered', async () => {
      const plan = demo.store.addPlan({ name: 'Doomed', foreignServiceId: 'prod_doomed' });
      const found = await client.planByForeignId('prod_doomed');
      expect(found?.databaseId).toBe(plan.id);
      await expect(client.deletePlan(found!.id)).resolves.toBe('deleted');
      await expect(client.deletePlan(found!.id)).resolves.toBe('notFound');
      await expect(client.planByForeignId('prod_doomed')).resolves.toBeNull();
      expect(applied('deletePlan')).toHaveLength(1);
    });
  });

  describe('Twilio flows', () => {
    it('clientByPhoneNumber tells whether the client may announce', async () => {
      await expect(client.clientByPhoneNumber('+15555550100')).resolves.toEqual({
        id: expect.any(String),
        uuid: demo.activeClient.id,
        name: 'Demo Coffee',
        slug: 'demo-coffee',
        locale: 'en-US',
        subscriptionStatus: 'ACTIVE',
        hasActiveSubscription: true,
      });
      await expect(client.clientByPhoneNumber('+15555550110')).resolves.toMatchObject({ hasActiveSubscription: false, subscriptionStatus: null });
      await expect(client.clientByPhoneNumber('+15550000000')).resolves.toBeNull();
    });

    it('subscriberByPhoneNumber returns locale and clients ordered by name, across client pages', async () => {
      const subscriber = await client.subscriberByPhoneNumber('+15555550102');
      expect(subscriber).toMatchObject({ uuid: demo.subscribers[1]!.id, locale: 'es-ES', phoneNumber: '+15555550102' });
      expect(subscriber?.clients.map((c) => c.name)).toEqual(['Corner Bakery', 'Demo Coffee']);
      await expect(client.subscriberByPhoneNumber('+15550000001')).resolves.toBeNull();

      const many = demo.store.addSubscriber({ phoneNumber: '+15555550199', locale: 'en-US' });
      for (let i = 0; i < 150; i++) demo.store.subscribe(many.id, demo.store.addClient({ name: `Shop ${String(149 - i).padStart(3, '0')}` }).id);
      const names = (await client.subscriberByPhoneNumber('+15555550199'))?.clients.map((c) => c.name);
      expect(names).toHaveLength(150);
      expect(names).toEqual([...names!].sort());
    });

    it('unsubscribeSubscriber removes the subscription once; a repeat is notSubscribed', async () => {
      const subscriber = demo.store.addSubscriber({ phoneNumber: '+15555550177', clientIds: [demo.activeClient.id] });
      const found = await client.subscriberByPhoneNumber('+15555550177');
      const coffee = found!.clients[0]!;
      await expect(client.unsubscribeSubscriber(found!.id, coffee.id)).resolves.toBe('unsubscribed');
      await expect(client.unsubscribeSubscriber(found!.id, coffee.id)).resolves.toBe('notSubscribed');
      expect(subscriber.clientIds.has(demo.activeClient.id)).toBe(false);
      await expect(client.unsubscribeSubscriber(found!.id, encodeNodeId('Client', '00000000-0000-4000-8000-000000000000'))).rejects.toMatchObject({
        errorType: 'ClientNotFoundError',
        notFound: true,
      });
    });

    it('subscribersOfClient yields every subscriber with phone number and locale', async () => {
      const id = (await client.clientByPhoneNumber('+15555550110'))!.id;
      const all = [];
      for await (const s of client.subscribersOfClient(id, { pageSize: 1 })) all.push(s);
      expect(all).toEqual([{ id: expect.any(String), phoneNumber: '+15555550102', locale: 'es-ES' }]);
    });

    it('pages through 100,000 subscribers of one client', async () => {
      const big = demo.store.addClient({ name: 'Big Client', phoneNumber: '+15555550500' });
      demo.store.seedSubscribers(big.id, 100_000);
      const id = (await client.clientByPhoneNumber('+15555550500'))!.id;
      const requestsBefore = gateway.requestCount();
      const started = performance.now();
      const ids = new Set<string>();
      let spanish = 0;
      let badPhones = 0;
      let pages = 0;
      for await (const page of client.subscriberPages(id)) {
        pages += 1;
        for (const s of page) {
          ids.add(s.id);
          if (s.locale === 'es-ES') spanish += 1;
          if (!/^\+1999\d{7}$/.test(s.phoneNumber ?? '')) badPhones += 1;
        }
      }
      const elapsed = Math.round(performance.now() - started);
      console.log(`paged 100,000 subscribers in ${pages} pages of 50 in ${elapsed} ms`);
      expect(ids.size).toBe(100_000);
      expect(spanish).toBe(10_000);
      expect(badPhones).toBe(0);
      expect(pages).toBe(2000);
      expect(gateway.requestCount() - requestsBefore).toBe(2000);
      expect(gateway.largestPageRequested()).toBeLessThanOrEqual(50);
      expect(elapsed).toBeLessThan(30_000);
    }, 60_000);
  });

  describe('tokens', () => {
    it('fetches one token for 50 concurrent calls', async () => {
      const fresh = newClient();
      const tokensBefore = oidc.tokenCount();
      const requestsBefore = gateway.requestCount();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => fresh.gateway.planById((i % 2) + 1)));
      expect(results.every((p) => p !== null)).toBe(true);
      expect(oidc.tokenCount() - tokensBefore).toBe(1);
      expect(fresh.tokens.tokensFetched).toBe(1);
      expect(gateway.requestCount() - requestsBefore).toBe(50);
      fresh.gateway.onModuleDestroy();
    });

    it('an expired token gets a 401, is refreshed once, and the call succeeds', async () => {
      const fresh = newClient();
      oidc.expireNextTokens(1);
      const requestsBefore = gateway.requestCount();
      const unauthorizedBefore = gateway.unauthorizedCount();
      await expect(fresh.gateway.planById(1)).resolves.toMatchObject({ name: 'Basic' });
      expect(gateway.unauthorizedCount() - unauthorizedBefore).toBe(1);
      expect(gateway.requestCount() - requestsBefore).toBe(2);
      expect(fresh.tokens.tokensFetched).toBe(2);
    });

    it('a revoked token gets a 401, is refreshed once, and concurrent calls share the refresh', async () => {
      const fresh = newClient();
      await fresh.gateway.planById(1);
      gateway.revokeTokensSeenSoFar();
      const results = await Promise.all(Array.from({ length: 10 }, () => fresh.gateway.planById(1)));
      expect(results.every((p) => p?.name === 'Basic')).toBe(true);
      expect(fresh.tokens.tokensFetched).toBe(2);
    });

    it('retries a 401 only once, then reports GatewayUnavailableError(unauthorized) without the token', async () => {
      const fresh = newClient();
      const token = await fresh.tokens.getToken();
      gateway.failNext(2, 'http401');
      const requestsBefore = gateway.requestCount();
      const error = await fresh.gateway.planById(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'unauthorized', status: 401, transient: true });
      expect(gateway.requestCount() - requestsBefore).toBe(2);
      expect((error as Error).message).not.toContain(token);
      expect(JSON.stringify(error)).not.toContain(token);
    });

    it('OIDC down → GatewayUnavailableError(oidc) caused by OidcUnavailableError', async () => {
      const fresh = newClient();
      oidc.setDown(true);
      const error = await fresh.gateway.clientByPhoneNumber('+15555550100').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'oidc', transient: true });
      expect((error as Error).cause).toBeInstanceOf(OidcUnavailableError);
      oidc.setDown(false);
      await expect(fresh.gateway.clientByPhoneNumber('+15555550100')).resolves.toMatchObject({ name: 'Demo Coffee' });
    });
  });

  describe('error mapping', () => {
    it.each([
      ['http503', 503],
      ['http429', 429],
    ] as const)('%s → transient GatewayUnavailableError(http-status)', async (mode, status) => {
      gateway.failNext(1, mode);
      const error = await client.planById(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'http-status', status, operation: 'PlanById' });
      await expect(client.planById(1)).resolves.not.toBeNull();
    });

    it('AUTH_NOT_AUTHORIZED or a validation error → permanent GatewayBusinessError', async () => {
      gateway.failNext(1, 'notAuthorized');
      const error = await client.clientByPhoneNumber('+15555550100').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayBusinessError);
      expect(error).toMatchObject({ errorType: 'AUTH_NOT_AUTHORIZED', transient: false });
      gateway.failNext(1, 'validationError');
      await expect(client.planById(1)).rejects.toMatchObject({ name: 'GatewayBusinessError', errorType: 'GraphQLValidation' });
    });

    it('an execution error without a code → transient GatewayUnavailableError(execution-error); the retry succeeds', async () => {
      gateway.failNext(1, 'executionError');
      const error = await client.clientByPhoneNumber('+15555550100').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'execution-error', transient: true, operation: 'ClientByPhoneNumber' });
      await expect(client.clientByPhoneNumber('+15555550100')).resolves.toMatchObject({ name: 'Demo Coffee' });
    });

    it('never asks for a page above the gateway maximum: refuses one up front', async () => {
      const id = (await client.clientByPhoneNumber('+15555550100'))!.id;
      const before = gateway.requestCount();
      await expect(client.subscriberPages(id, { pageSize: 51 }).next()).rejects.toThrow(RangeError);
      expect(gateway.requestCount()).toBe(before);
      expect(() => new NudgesGateway({ url: gateway.url, timeoutMs: 1000, pageSize: 500 }, new OidcTokenProvider(oidcOptions()))).toThrow(RangeError);
    });

    it('a reset connection or a gateway that is down → GatewayUnavailableError(network)', async () => {
      gateway.failNext(1, 'reset');
      await expect(client.planById(1)).rejects.toMatchObject({ name: 'GatewayUnavailableError', reason: 'network' });
      gateway.setDown(true);
      await expect(client.planById(1)).rejects.toMatchObject({ name: 'GatewayUnavailableError', reason: 'network' });
    });

    it('a slow gateway → GatewayUnavailableError(timeout) within the configured timeout', async () => {
      const impatient = newClient(200).gateway;
      gateway.failNext(1, 'slow');
      const started = performance.now();
      await expect(impatient.planById(1)).rejects.toMatchObject({ name: 'GatewayUnavailableError', reason: 'timeout' });
      expect(performance.now() - started).toBeLessThan(900);
    });

    it('a mutation whose answer is lost is still applied: the caller sees a transient error and must look up before retrying', async () => {
      gateway.failNext(1, 'lostResponse');
      await expect(client.createPaymentConfirmation({ confirmationId: 'in_lost_answer', merchantServiceId: 1 })).rejects.toMatchObject({
        name: 'GatewayUnavailableError',
      });
      await expect(client.paymentConfirmationByCode('in_lost_answer')).resolves.toMatchObject({ confirmationCode: 'in_lost_answer' });
    });

    it('masks phone numbers in business error messages', async () => {
      const error = new GatewayBusinessError('X', 'SomeError', 'no subscriber +15555550123 here');
      expect(error.message).toContain('***0123');
      expect(error.message).not.toContain('5555550123');
    });
  });

  describe('request without a valid token', () => {
    const body = JSON.stringify({ query: '{ planByForeignId(id: "prod_demo_basic") { name } }' });

    it('is answered 401 by the gateway', async () => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    });

    it('with a token from another issuer is answered 401', async () => {
      const other = await startOidcServer();
      try {
        const token = await new OidcTokenProvider({ serverUrl: other.serverUrl, realm: other.realm, ...DEFAULT_OIDC_CLIENT }).getToken();
        const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        expect(response.status).toBe(401);
      } finally {
        await other.stop();
      }
    });
  });

  describe('configuration', () => {
    it('names every missing variable and never echoes the secret', () => {
      const problems = (() => {
        try {
          parseEnv(z.object(gatewayEnv), { GRAPHQL_API_URL: 'not a url', Oidc__ClientSecret: 'hunter2' });
          return [];
        } catch (error) {
          return (error as { problems: string[] }).problems;
        }
      })();
      expect(problems.join('\n')).not.toContain('hunter2');
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['GRAPHQL_API_URL', 'Oidc__ClientId', 'Oidc__Realm', 'Oidc__ServerUrl']);
    });

    it('GRAPHQL_PAGE_SIZE: 1 to 50, default 50; anything else is one clear line', () => {
      const env = { GRAPHQL_API_URL: 'http://gateway/graphql', Oidc__ServerUrl: 'http://oidc', Oidc__Realm: 'r', Oidc__ClientId: 'c', Oidc__ClientSecret: 's' };
      const load = (value?: string) => gatewayConfigFrom(parseEnv(z.object(gatewayEnv), { ...env, ...(value === undefined ? {} : { GRAPHQL_PAGE_SIZE: value }) }));
      expect(load().pageSize).toBe(50);
      expect(load('').pageSize).toBe(50);
      expect(load('1').pageSize).toBe(1);
      expect(load('50').pageSize).toBe(50);
      for (const bad of ['51', '500', '0', '-3', '2.5', 'lots']) {
        let problems: string[] = [];
        try {
          load(bad);
        } catch (error) {
          problems = (error as { problems: string[] }).problems;
        }
        expect(problems).toEqual(["GRAPHQL_PAGE_SIZE: must be a whole number from 1 to 50 (the gateway's maximum page size)"]);
      }
    });
  });

  describe('GatewayModule', () => {
    it('wires NudgesGateway from the environment variables', async () => {
      const env = {
        GRAPHQL_API_URL: gateway.url,
        Oidc__ServerUrl: `${oidc.serverUrl}/`,
        Oidc__Realm: oidc.realm,
        Oidc__ClientId: DEFAULT_OIDC_CLIENT.clientId,
        Oidc__ClientSecret: DEFAULT_OIDC_CLIENT.clientSecret,
      };
      const config = gatewayConfigFrom(parseEnv(z.object(gatewayEnv), env));
      expect(config).toMatchObject({ url: gateway.url, timeoutMs: 5000, pageSize: 50, oidc: { serverUrl: oidc.serverUrl } });
      const moduleRef = await Test.createTestingModule({ imports: [GatewayModule.forRootAsync({ useFactory: () => config })] }).compile();
      try {
        await expect(moduleRef.get(NudgesGateway).clientByCustomerId('cus_demo_coffee')).resolves.toMatchObject({ name: 'Demo Coffee' });
        expect(moduleRef.get(OidcTokenProvider).issuer).toBe(oidc.issuer);
      } finally {
        await moduleRef.close();
      }
    });
  });
});
