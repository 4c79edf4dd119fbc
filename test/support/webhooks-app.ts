import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import type { HttpConfig } from '../../apps/webhooks/src/http/http.env.js';
import { stackEnv } from './stack.js';
import { TEST_SECRETS } from './test-secrets.js';

export interface RunningWebhooks {
  app: NestExpressApplication;
  /** Base URL of the webhook endpoints (the public port), e.g. http://127.0.0.1:41234 */
  url: string;
  /** Base URL of /health, /health/ready and /metrics (the internal port). */
  internalUrl: string;
  stop(): Promise<void>;
}

/** Env that satisfies the webhooks schema against the local stack; tests override what they need. */
export function baseWebhooksEnv(): Record<string, string> {
  return {
    ...stackEnv(),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    PORT: '0',
    INTERNAL_PORT: '0',
    INTERNAL_HOST: '127.0.0.1',
    WEBHOOKS_API_KEY: TEST_SECRETS.webhooksApiKey,
    STRIPE_API_KEY: TEST_SECRETS.stripeApiKey,
    STRIPE_WEBHOOKS_SECRET: TEST_SECRETS.stripeWebhooksSecret,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: TEST_SECRETS.twilioAuthToken,
    AccountUrl: 'https://app.example.com/account',
    StripePortalUrl: 'https://billing.stripe.com/p/login/test',
    ClientLinkBaseUri: 'https://app.example.com',
  };
}

/**
 * Boots the real WebhooksModule in this process, configured exactly as main.ts does, on an
 * ephemeral port. `env` is merged over `baseWebhooksEnv()` into process.env (each jest test file
 * runs in its own worker process, so this does not leak across files).
 */
export async function startWebhooksApp(env: Record<string, string | undefined> = {}): Promise<RunningWebhooks> {
  for (const [k, v] of Object.entries({ ...baseWebhooksEnv(), ...env })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const { WebhooksModule } = await import('../../apps/webhooks/src/webhooks.module.js');
  const { configureWebhooksApp, listenWebhooksApp } = await import('../../apps/webhooks/src/webhooks.app.js');
  const { httpConfig } = await import('../../apps/webhooks/src/http/http.env.js');
  const app = await NestFactory.create<NestExpressApplication>(WebhooksModule, { bodyParser: false, logger: false, abortOnError: false });
  const http = app.get<HttpConfig>(httpConfig.KEY);
  configureWebhooksApp(app, http);
  const { port, internalPort } = await listenWebhooksApp(app, http, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}`, internalUrl: `http://127.0.0.1:${internalPort}`, stop: () => app.close() };
}
