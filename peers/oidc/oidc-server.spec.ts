import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from './oidc-server.js';

describe('OIDC stand-in (Keycloak-shaped)', () => {
  let oidc: OidcServer;
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(oidc.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  beforeAll(async () => {
    oidc = await startOidcServer({ realm: 'nudges', clients: { webhooks: 's3cret', other: 'x' }, tokenLifetimeSeconds: 120 });
  });
  afterAll(() => oidc.stop());

  it('serves discovery under /realms/<realm> with Keycloak endpoint paths', async () => {
    const response = await fetch(`${oidc.issuer}/.well-known/openid-configuration`);
    const doc = (await response.json()) as Record<string, string>;
    expect(oidc.issuer).toBe(`${oidc.serverUrl}/realms/nudges`);
    expect(doc['issuer']).toBe(oidc.issuer);
    expect(doc['token_endpoint']).toBe(`${oidc.issuer}/protocol/openid-connect/token`);
    expect(doc['jwks_uri']).toBe(`${oidc.issuer}/protocol/openid-connect/certs`);
    expect(oidc.jwksUrl).toBe(doc['jwks_uri']);
    expect((await fetch(`${oidc.serverUrl}/realms/other/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('issues signed client-credentials tokens (post or basic auth) with aud, sub, azp, jti and the lifetime', async () => {
    const before = oidc.tokenCount();
    const viaPost = await post(form({ grant_type: 'client_credentials', client_id: 'webhooks', client_secret: 's3cret' }));
    const viaBasic = await post(form({ grant_type: 'client_credentials' }), {
      authorization: `Basic ${Buffer.from('webhooks:s3cret').toString('base64')}`,
    });
    expect([viaPost.status, viaBasic.status]).toEqual([200, 200]);
    const body = (await viaPost.json()) as { access_token: string; expires_in: number; token_type: string };
    expect(body).toMatchObject({ expires_in: 120, token_type: 'Bearer' });
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(oidc.jwksUrl)), {
      issuer: oidc.issuer,
      audience: 'nudges-gateway',
    });
    expect(payload).toMatchObject({ azp: 'webhooks', sub: expect.any(String), jti: expect.any(String) });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(120);
    expect(oidc.tokenCount() - before).toBe(2);
  });

  it('rejects a wrong secret or an unknown client with 401 invalid_client and issues nothing', async () => {
    const before = oidc.tokenCount();
    const wrong = await post(
      form({ grant_type: 'client_credentials', client_id: 'webhooks', client_secret: DEFAULT_OIDC_CLIENT.clientSecret }),
    );
    const unknown = await post(form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 's3cret' }));
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(oidc.tokenCount()).toBe(before);
    expect(oidc.rejectedCount()).toBeGreaterThanOrEqual(2);
  });

  it('expireNextTokens issues already-expired tokens that still advertise the normal lifetime', async () => {
    oidc.expireNextTokens(1);
    const body = (await (await post(form({ grant_type: 'client_credentials', client_id: 'other', client_secret: 'x' }))).json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(body.expires_in).toBe(120);
    await expect(jwtVerify(body.access_token, createRemoteJWKSet(new URL(oidc.jwksUrl)))).rejects.toThrow(/exp/);
  });

  it('setDown resets connections until it is back up', async () => {
    oidc.setDown(true);
    await expect(fetch(oidc.jwksUrl)).rejects.toThrow();
    oidc.setDown(false);
    expect((await fetch(oidc.jwksUrl)).status).toBe(200);
  });
});
