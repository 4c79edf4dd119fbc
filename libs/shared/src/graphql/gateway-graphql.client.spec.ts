// End to end against the real stand-ins: the Keycloak-shaped OIDC server and the GraphQL test
// gateway, both in-process on 127.0.0.1. What every gateway client shares: tokens, error mapping,
// configuration. The operations themselves are specified with their clients
// (billing-gateway.client.spec.ts, subscriber-gateway.client.spec.ts).
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../../peers/oidc/oidc-server.js';
import { startGateway, type TestGateway } from '../../../../peers/gateway/gateway-server.js';
import { seedDemoData } from '../../../../peers/gateway/seed.js';
import { gatewayConfigFrom, gatewayEnv } from '../config/gateway.env.js';
import { parseEnv } from '../config/env.js';
import { OidcUnavailableError } from '../oidc/oidc.errors.js';
import { OidcTokenProvider } from '../oidc/oidc-token-provider.js';
import { GatewayBusinessError, GatewayUnavailableError } from './gateway.errors.js';
import { GatewayGraphqlClient } from './gateway-graphql.client.js';
import { GatewayModule } from './gateway.module.js';
import * as ops from './operations.js';

/** Plan 1's name, by PlanById (null when the plan does not exist). */
async function planById(graphql: GatewayGraphqlClient, id: number): Promise<{ name: string } | null> {
  const data = await graphql.query<{ plans: { nodes: Array<{ name: string }> } | null }>('PlanById', ops.PLAN_BY_ID, { id });
  return data.plans?.nodes[0] ?? null;
}

async function clientByPhoneNumber(graphql: GatewayGraphqlClient, phoneNumber: string): Promise<{ name: string } | null> {
  const data = await graphql.query<{ clientByPhoneNumber: { name: string } | null }>('ClientByPhoneNumber', ops.CLIENT_BY_PHONE_NUMBER, {
    phoneNumber,
  });
  return data.clientByPhoneNumber;
}

describe('GatewayGraphqlClient end to end (real OIDC server, real test gateway)', () => {
  let oidc: OidcServer;
  let gateway: TestGateway;
  let client: GatewayGraphqlClient;

  const oidcOptions = () => ({ serverUrl: oidc.serverUrl, realm: oidc.realm, ...DEFAULT_OIDC_CLIENT, timeoutMs: 2000 });
  const newClient = (timeoutMs = 3000) => {
    const tokens = new OidcTokenProvider(oidcOptions());
    return { tokens, graphql: new GatewayGraphqlClient({ url: gateway.url, timeoutMs }, tokens) };
  };

  beforeAll(async () => {
    oidc = await startOidcServer();
    gateway = await startGateway({
      issuer: oidc.issuer,
      jwksUrl: oidc.jwksUrl,
      audience: 'nudges-gateway',
      store: seedDemoData().store,
      slowMs: 1000,
    });
    client = newClient().graphql;
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

  describe('tokens', () => {
    it('fetches one token for 50 concurrent calls', async () => {
      const fresh = newClient();
      const tokensBefore = oidc.tokenCount();
      const requestsBefore = gateway.requestCount();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => planById(fresh.graphql, (i % 2) + 1)));
      expect(results.every((p) => p !== null)).toBe(true);
      expect(oidc.tokenCount() - tokensBefore).toBe(1);
      expect(fresh.tokens.tokensFetched).toBe(1);
      expect(gateway.requestCount() - requestsBefore).toBe(50);
      fresh.graphql.onModuleDestroy();
    });

    it('an expired token gets a 401, is refreshed once, and the call succeeds', async () => {
      const fresh = newClient();
      oidc.expireNextTokens(1);
      const requestsBefore = gateway.requestCount();
      const unauthorizedBefore = gateway.unauthorizedCount();
      await expect(planById(fresh.graphql, 1)).resolves.toMatchObject({ name: 'Basic' });
      expect(gateway.unauthorizedCount() - unauthorizedBefore).toBe(1);
      expect(gateway.requestCount() - requestsBefore).toBe(2);
      expect(fresh.tokens.tokensFetched).toBe(2);
    });

    it('a revoked token gets a 401, is refreshed once, and concurrent calls share the refresh', async () => {
      const fresh = newClient();
      await planById(fresh.graphql, 1);
      gateway.revokeTokensSeenSoFar();
      const results = await Promise.all(Array.from({ length: 10 }, () => planById(fresh.graphql, 1)));
      expect(results.every((p) => p?.name === 'Basic')).toBe(true);
      expect(fresh.tokens.tokensFetched).toBe(2);
    });

    it('retries a 401 only once, then reports GatewayUnavailableError(unauthorized) without the token', async () => {
      const fresh = newClient();
      const token = await fresh.tokens.getToken();
      gateway.failNext(2, 'http401');
      const requestsBefore = gateway.requestCount();
      const error = await planById(fresh.graphql, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'unauthorized', status: 401, transient: true });
      expect(gateway.requestCount() - requestsBefore).toBe(2);
      expect((error as Error).message).not.toContain(token);
      expect(JSON.stringify(error)).not.toContain(token);
    });

    it('OIDC down → GatewayUnavailableError(oidc) caused by OidcUnavailableError', async () => {
      const fresh = newClient();
      oidc.setDown(true);
      const error = await clientByPhoneNumber(fresh.graphql, '+15555550100').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'oidc', transient: true });
      expect((error as Error).cause).toBeInstanceOf(OidcUnavailableError);
      oidc.setDown(false);
      await expect(clientByPhoneNumber(fresh.graphql, '+15555550100')).resolves.toMatchObject({ name: 'Demo Coffee' });
    });
  });

  describe('error mapping', () => {
    it.each([
      ['http503', 503],
      ['http429', 429],
    ] as const)('%s → transient GatewayUnavailableError(http-status)', async (mode, status) => {
      gateway.failNext(1, mode);
      const error = await planById(client, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'http-status', status, operation: 'PlanById' });
      await expect(planById(client, 1)).resolves.not.toBeNull();
    });

    it('AUTH_NOT_AUTHORIZED or a validation error → permanent GatewayBusinessError', async () => {
      gateway.failNext(1, 'notAuthorized');
      const error = await clientByPhoneNumber(client, '+15555550100').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayBusinessError);
      expect(error).toMatchObject({ errorType: 'AUTH_NOT_AUTHORIZED', transient: false });
      gateway.failNext(1, 'validationError');
      await expect(planById(client, 1)).rejects.toMatchObject({ name: 'GatewayBusinessError', errorType: 'GraphQLValidation' });
    });

    it('an execution error without a code → transient GatewayUnavailableError(execution-error); the retry succeeds', async () => {
      gateway.failNext(1, 'executionError');
      const error = await clientByPhoneNumber(client, '+15555550100').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ reason: 'execution-error', transient: true, operation: 'ClientByPhoneNumber' });
      await expect(clientByPhoneNumber(client, '+15555550100')).resolves.toMatchObject({ name: 'Demo Coffee' });
    });

    it('never asks for a page above the gateway maximum: refuses one up front', () => {
      for (const pageSize of [51, 500]) {
        expect(
          () => new GatewayGraphqlClient({ url: gateway.url, timeoutMs: 1000, pageSize }, new OidcTokenProvider(oidcOptions())),
        ).toThrow(RangeError);
      }
    });

    it('a reset connection or a gateway that is down → GatewayUnavailableError(network)', async () => {
      gateway.failNext(1, 'reset');
      await expect(planById(client, 1)).rejects.toMatchObject({ name: 'GatewayUnavailableError', reason: 'network' });
      gateway.setDown(true);
      await expect(planById(client, 1)).rejects.toMatchObject({ name: 'GatewayUnavailableError', reason: 'network' });
    });

    it('a slow gateway → GatewayUnavailableError(timeout) within the configured timeout', async () => {
      const impatient = newClient(200).graphql;
      gateway.failNext(1, 'slow');
      const started = performance.now();
      await expect(planById(impatient, 1)).rejects.toMatchObject({ name: 'GatewayUnavailableError', reason: 'timeout' });
      expect(performance.now() - started).toBeLessThan(900);
    });

    it('a mutation whose answer is lost is still applied: the caller sees a transient error and must look up before retrying', async () => {
      gateway.failNext(1, 'lostResponse');
      const input = { confirmationId: 'in_lost_answer', merchantServiceId: 1 };
      await expect(client.mutate('CreatePaymentConfirmation', ops.CREATE_PAYMENT_CONFIRMATION, { input })).rejects.toMatchObject({
        name: 'GatewayUnavailableError',
      });
      const found = client.query('PaymentConfirmationByCode', ops.PAYMENT_CONFIRMATION_BY_CODE, { confirmationCode: 'in_lost_answer' });
      await expect(found).resolves.toMatchObject({ paymentConfirmationByCode: { confirmationCode: 'in_lost_answer' } });
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
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        });
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
      const env = {
        GRAPHQL_API_URL: 'http://gateway/graphql',
        Oidc__ServerUrl: 'http://oidc',
        Oidc__Realm: 'r',
        Oidc__ClientId: 'c',
        Oidc__ClientSecret: 's',
      };
      const load = (value?: string) =>
        gatewayConfigFrom(parseEnv(z.object(gatewayEnv), { ...env, ...(value === undefined ? {} : { GRAPHQL_PAGE_SIZE: value }) }));
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
    it('wires GatewayGraphqlClient from the environment variables', async () => {
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
        const found = moduleRef
          .get(GatewayGraphqlClient)
          .query('ClientByCustomerId', ops.CLIENT_BY_CUSTOMER_ID, { customerId: 'cus_demo_coffee' });
        await expect(found).resolves.toMatchObject({ clientByCustomerId: { name: 'Demo Coffee' } });
        expect(moduleRef.get(OidcTokenProvider).issuer).toBe(oidc.issuer);
      } finally {
        await moduleRef.close();
      }
    });
  });
});
