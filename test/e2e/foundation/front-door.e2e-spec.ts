// The webhooks app's front door against the real stack: which port serves what, the method rule of
// the webhook paths, X-Forwarded-* believed only from TRUST_PROXY addresses (it decides the URL the
// Twilio signature covers), slow clients cut off, and what the built app refuses to start with.
import { spawnSync } from 'node:child_process';
import { builtAppEntry } from '../../support/app-process.js';
import { requestBytes, sendRaw } from '../../support/fuzz/raw-http.js';
import { TEST_SECRETS } from '../../support/test-secrets.js';
import { WEBHOOK_PATH, activate, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';
import { baseWebhooksEnv, startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';

const CLIENT_PHONE = '+15550006001';
const KEY = TEST_SECRETS.webhooksApiKey;
const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' };
const FORWARDED_URL = `https://hooks.example.com${WEBHOOK_PATH}`;

describe('webhooks front door', () => {
  let peers: TwilioPeers;

  beforeAll(async () => {
    peers = await startTwilioPeers('front-door');
    const client = peers.gateway.store.addClient({ name: 'Door Co', slug: 'door-co', phoneNumber: CLIENT_PHONE });
    activate(peers.gateway.store, client);
  }, 30_000);

  afterAll(async () => {
    await peers?.stop();
  });

  describe('with the defaults (no trusted proxy)', () => {
    let webhooks: RunningWebhooks;

    beforeAll(async () => {
      webhooks = await startWebhooksApp({ ...peers.env, TWILIO_WEBHOOK_PUBLIC_URL: '' });
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it('serves health and metrics on the internal port only', async () => {
      expect((await fetch(`${webhooks.internalUrl}/health`)).status).toBe(200);
      expect(await (await fetch(`${webhooks.internalUrl}/health/ready`)).json()).toMatchObject({ status: 'ok' });
      const metrics = await fetch(`${webhooks.internalUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('nudges_webhook_requests_total');
      for (const path of ['/health', '/health/ready', '/metrics', '/HEALTH/', '/metrics?x=1']) {
        const res = await fetch(`${webhooks.url}${path}`);
        expect({ path, status: res.status, body: await res.text() }).toEqual({ path, status: 404, body: 'NOT FOUND' });
      }
    });

    it('serves the webhook endpoints on the public port only', async () => {
      expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'))).status).toBe(200);
      const internal = await fetch(`${webhooks.internalUrl}/api/TwilioWebhookHandler?code=${KEY}`, { method: 'POST' });
      expect(internal.status).toBe(404);
    });

    it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])(
      'answers %s on either webhook path 405 with Allow: POST, API key or not',
      async (method) => {
        for (const path of ['/api/StripeWebhookHandler', `/api/TwilioWebhookHandler?code=${KEY}`, '/api/twilioWebhookHandler/']) {
          const res = await fetch(`${webhooks.url}${path}`, { method });
          expect({ path, status: res.status, allow: res.headers.get('allow') }).toEqual({ path, status: 405, allow: 'POST' });
        }
      },
    );

    it('still answers 404 below the webhook paths', async () => {
      expect((await fetch(`${webhooks.url}/api/StripeWebhookHandler/x`, { method: 'GET' })).status).toBe(404);
      expect((await fetch(`${webhooks.url}/api/StripeWebhookHandler/x?code=${KEY}`, { method: 'POST' })).status).toBe(404);
    });

    it('ignores X-Forwarded-Proto/Host: a spoofed scheme and host do not change the URL the signature covers', async () => {
      const spoofed = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: FORWARDED_URL, headers: FORWARDED });
      expect(spoofed.status).toBe(403);
      const honest = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { headers: FORWARDED });
      expect(honest.status).toBe(200);
    });
  });

  describe('with TRUST_PROXY naming other addresses than the client’s (127.0.0.1)', () => {
    let webhooks: RunningWebhooks;

    beforeAll(async () => {
      webhooks = await startWebhooksApp({ ...peers.env, TWILIO_WEBHOOK_PUBLIC_URL: '', TRUST_PROXY: '10.0.0.0/8, fd00::/8' });
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it('still ignores the forwarded scheme and host', async () => {
      expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: FORWARDED_URL, headers: FORWARDED })).status).toBe(403);
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=loopback)', () => {
    let webhooks: RunningWebhooks;

    beforeAll(async () => {
      webhooks = await startWebhooksApp({ ...peers.env, TWILIO_WEBHOOK_PUBLIC_URL: '', TRUST_PROXY: 'loopback' });
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it('checks the signature against the URL the proxy says Twilio called', async () => {
      const res = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: FORWARDED_URL, headers: FORWARDED });
      expect(res.status).toBe(200);
      expect(res.message).toMatch(/^Reply COMMANDS for help/);
      expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { headers: FORWARDED })).status).toBe(403);
    });
  });

  describe('with short request deadlines', () => {
    let webhooks: RunningWebhooks;
    const REQUEST_TIMEOUT_MS = 1_500;

    beforeAll(async () => {
      webhooks = await startWebhooksApp({
        ...peers.env,
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_HEADERS_TIMEOUT_MS: '1000',
      });
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it.each(['headers', 'body'] as const)('answers 408 and closes the connection of a client that trickles its %s', async (phase) => {
      const headers: Array<[string, string]> = [
        ['Host', 'hooks.example.com'],
        ['Content-Type', 'application/json'],
        ['Content-Length', '5000'],
        ...(phase === 'headers' ? Array.from({ length: 200 }, (_, i): [string, string] => [`X-Slow-${i}`, 'y']) : []),
      ];
      const request = { target: `/api/StripeWebhookHandler?code=${KEY}`, headers, body: Buffer.alloc(5000, 0x20) };
      const wire = requestBytes(request, 'unused'); // Host is given: these are the bytes sent
      const upfrontBytes = phase === 'headers' ? wire.indexOf('\r\n') + 2 : wire.indexOf('\r\n\r\n') + 4 + 1;
      // sendRaw fails the test if the server keeps the connection past sendRaw's own 15 s limit.
      const res = await sendRaw(Number(new URL(webhooks.url).port), { ...request, slow: { upfrontBytes, intervalMs: 50 } });
      expect(res.status).toBe(408);
      expect(res.elapsedMs).toBeGreaterThanOrEqual(phase === 'headers' ? 1000 : REQUEST_TIMEOUT_MS);
    });
  });
});

describe('built webhooks app refusing unsafe settings', () => {
  const start = async (env: Record<string, string>) => {
    const entry = await builtAppEntry('webhooks');
    return spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH, ...baseWebhooksEnv(), ...gatewayEnv, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  };
  const gatewayEnv = {
    GRAPHQL_API_URL: 'https://gateway.example.com/graphql',
    Oidc__ServerUrl: 'https://keycloak.example.com',
    Oidc__Realm: 'nudges',
    Oidc__ClientId: 'webhooks',
    Oidc__ClientSecret: TEST_SECRETS.oidcClientSecret,
  };

  it('exits 1 in production with signature validation off or a credential over plain http://, one line each', async () => {
    const run = await start({
      NODE_ENV: 'production',
      TWILIO_SIGNATURE_VALIDATION_DISABLED: 'true',
      GRAPHQL_API_URL: 'http://gateway.internal:5443/graphql',
      STRIPE_API_URL: 'http://stripe.internal:12111',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      [
        'webhooks: invalid configuration',
        '  GRAPHQL_API_URL: must be https:// when NODE_ENV=production: it carries the gateway access token',
        '  STRIPE_API_URL: must be https:// when NODE_ENV=production: it carries the Stripe API key',
        '  TWILIO_SIGNATURE_VALIDATION_DISABLED: must not be true when NODE_ENV=production: anyone with the API key could post SMS webhooks',
        '',
      ].join('\n'),
    );
  }, 120_000);

  it('exits 1 with an API key shorter than 32 characters, without printing it', async () => {
    const run = await start({ WEBHOOKS_API_KEY: 'only-twenty-chars-ok' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'webhooks: invalid configuration\n  WEBHOOKS_API_KEY: must be at least 32 characters (e.g. the output of openssl rand -hex 32)\n',
    );
  }, 120_000);

  it('exits 1 with a TRUST_PROXY Express would take as "trust everyone"', async () => {
    const run = await start({ TRUST_PROXY: 'true' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^ {2}TRUST_PROXY: must be a comma-separated list of IP addresses/m);
  }, 120_000);
});
