import { spawnSync } from 'node:child_process';
import { builtAppEntry } from '../../support/app-process.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';

describe('webhooks service: health and start-up validation', () => {
  let peers: GatewayPeers;
  let webhooks: RunningWebhooks;

  beforeAll(async () => {
    peers = await startGatewayPeers();
    webhooks = await startWebhooksApp(peers.env);
  });

  afterAll(async () => {
    await webhooks?.stop();
    await peers?.stop();
  });

  it('answers liveness (on the internal port)', async () => {
    const res = await fetch(`${webhooks.internalUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('reports Kafka and Redis reachable on readiness', async () => {
    const res = await fetch(`${webhooks.internalUrl}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('answers unknown routes with a plain 404 and no internals', async () => {
    const res = await fetch(`${webhooks.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(await res.text()).not.toMatch(/at |Error:/);
  });

  it('does not echo the URL of an unknown route, which may carry the API key (found by the fuzz suite)', async () => {
    const res = await fetch(`${webhooks.url}/api/Unknown?code=the-api-key-itself`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('NOT FOUND');
  });
});

describe('built webhooks app with bad configuration', () => {
  it('exits 1 with one line per missing or malformed variable and no values', async () => {
    const run = spawnSync(process.execPath, [await builtAppEntry('webhooks')], {
      env: { PATH: process.env.PATH, PORT: '70000', Kafka__BrokerList: 'kafka', WEBHOOKS_API_KEY: 'super-secret-key', REDIS_URL: 'x:1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('webhooks: invalid configuration');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  PORT: must be between 0 and 65535',
        '  Kafka__BrokerList: must be a comma-separated list of host:port',
        '  STRIPE_API_KEY: is required but not set',
        '  WEBHOOKS_API_KEY: must be at least 32 characters (e.g. the output of openssl rand -hex 32)',
      ]),
    );
    expect(run.stderr + run.stdout).not.toContain('super-secret-key');
  }, 120_000);
});
