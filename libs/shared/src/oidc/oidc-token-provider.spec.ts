import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../../peers/oidc/oidc-server.js';
import { decodeJwt } from 'jose';
import { OidcUnavailableError } from './oidc.errors.js';
import { OidcTokenProvider, type OidcClientOptions } from './oidc-token-provider.js';

describe('OidcTokenProvider against the Keycloak-shaped OIDC stand-in', () => {
  let oidc: OidcServer;
  let options: OidcClientOptions;

  beforeAll(async () => {
    oidc = await startOidcServer({ realm: 'nudges', tokenLifetimeSeconds: 300 });
    options = { serverUrl: oidc.serverUrl, realm: oidc.realm, ...DEFAULT_OIDC_CLIENT, timeoutMs: 2000 };
  });
  afterAll(() => oidc.stop());
  afterEach(() => oidc.setDown(false));

  it('fetches a client-credentials token with Keycloak-style claims', async () => {
    const provider = new OidcTokenProvider(options);
    const claims = decodeJwt(await provider.getToken());
    expect(claims.iss).toBe(`${oidc.serverUrl}/realms/nudges`);
    expect(provider.issuer).toBe(claims.iss);
    expect(claims).toMatchObject({ azp: 'webhooks', aud: 'nudges-gateway' });
    expect(typeof claims.sub).toBe('string');
  });

  it('fetches once for concurrent callers and serves the cache afterwards', async () => {
    const provider = new OidcTokenProvider(options);
    const before = oidc.tokenCount();
    const tokens = await Promise.all(Array.from({ length: 25 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(await provider.getToken()).toBe(tokens[0]);
    expect(oidc.tokenCount() - before).toBe(1);
    expect(provider.tokensFetched).toBe(1);
  });

  it('refreshes shortly before expiry: at most 30 s or 10 % of the lifetime early', async () => {
    let now = 1_000_000;
    const provider = new OidcTokenProvider(options, () => now);
    const first = await provider.getToken();
    now += 269_000; // 300 s lifetime, 30 s margin: still fresh
    expect(await provider.getToken()).toBe(first);
    now += 2_000; // 271 s: inside the margin
    await provider.getToken();
    expect(provider.tokensFetched).toBe(2);
  });

  it('invalidate(token) drops only that token', async () => {
    const provider = new OidcTokenProvider(options);
    const first = await provider.getToken();
    provider.invalidate('some-other-token');
    expect(await provider.getToken()).toBe(first);
    provider.invalidate(first);
    await provider.getToken();
    expect(provider.tokensFetched).toBe(2);
  });

  it('reports a wrong client secret as OidcUnavailableError(rejected) without leaking the secret', async () => {
    const provider = new OidcTokenProvider({ ...options, clientSecret: 'not-the-secret' });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OidcUnavailableError);
    expect(error).toMatchObject({ reason: 'rejected', transient: true });
    expect((error as Error).message).not.toContain('not-the-secret');
  });

  it('reports an unreachable issuer as OidcUnavailableError(unreachable) and recovers', async () => {
    const provider = new OidcTokenProvider(options);
    oidc.setDown(true);
    await expect(provider.getToken()).rejects.toMatchObject({ name: 'OidcUnavailableError', reason: 'unreachable' });
    oidc.setDown(false);
    await expect(provider.getToken()).resolves.toEqual(expect.any(String));
  });

  it('reports an unknown realm as OidcUnavailableError', async () => {
    const provider = new OidcTokenProvider({ ...options, realm: 'nope' });
    await expect(provider.getToken()).rejects.toBeInstanceOf(OidcUnavailableError);
  });
});
