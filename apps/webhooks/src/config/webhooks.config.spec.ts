import { ConfigValidationError } from '@app/shared/config/env.js';
import { loadWebhooksConfig } from './webhooks.config.js';

const valid: Record<string, string> = {
  NODE_ENV: 'production',
  Kafka__BrokerList: 'kafka:9092',
  REDIS_URL: 'redis:6379',
  WEBHOOKS_API_KEY: 'k'.repeat(40),
  STRIPE_API_KEY: 'sk_live_x',
  STRIPE_WEBHOOKS_SECRET: 'whsec_x',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'token',
  GRAPHQL_API_URL: 'https://graphql-gateway:5443/graphql',
  Oidc__ServerUrl: 'https://keycloak.example.com',
  Oidc__Realm: 'nudges',
  Oidc__ClientId: 'webhooks',
  Oidc__ClientSecret: 'secret',
  AccountUrl: 'https://app.example.com/account',
  StripePortalUrl: 'https://billing.stripe.com/p/login/x',
  ClientLinkBaseUri: 'https://app.example.com',
};

function problems(env: Record<string, string>): string[] {
  const saved = process.env;
  process.env = env;
  try {
    loadWebhooksConfig();
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  } finally {
    process.env = saved;
  }
}

describe('webhooks configuration with NODE_ENV=production', () => {
  it('starts with TLS everywhere a credential travels', () => {
    expect(problems(valid)).toEqual([]);
  });

  it('refuses every plain http:// URL a credential travels over, one line each, and signature validation switched off', () => {
    const found = problems({
      ...valid,
      GRAPHQL_API_URL: 'http://graphql-gateway:5443/graphql',
      Oidc__ServerUrl: 'http://keycloak:8080',
      STRIPE_API_URL: 'http://stripe-proxy:12111',
      TWILIO_WEBHOOK_PUBLIC_URL: 'http://hooks.example.com',
      REDIS_URL: 'redis://default:hunter2@cache:6379',
      TWILIO_SIGNATURE_VALIDATION_DISABLED: 'true',
    });
    expect(found).toEqual([
      'GRAPHQL_API_URL: must be https:// when NODE_ENV=production: it carries the gateway access token',
      'Oidc__ServerUrl: must be https:// when NODE_ENV=production: it carries the OIDC client secret',
      'STRIPE_API_URL: must be https:// when NODE_ENV=production: it carries the Stripe API key',
      'TWILIO_WEBHOOK_PUBLIC_URL: must be https:// when NODE_ENV=production: it carries the API key (?code=) in every Twilio request',
      'REDIS_URL: must be rediss:// when NODE_ENV=production: it carries the Redis password',
      'TWILIO_SIGNATURE_VALIDATION_DISABLED: must not be true when NODE_ENV=production: anyone with the API key could post SMS webhooks',
    ]);
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('allows plain http:// to this machine (a local TLS proxy) and the plaintext LocalizationApi (no credential travels to it)', () => {
    expect(
      problems({ ...valid, GRAPHQL_API_URL: 'http://127.0.0.1:15443/graphql', LOCALIZATION_API_URL: 'http://localization-api:8888' }),
    ).toEqual([]);
  });

  it('accepts all of it outside production (development, test)', () => {
    const relaxed = { GRAPHQL_API_URL: 'http://graphql-gateway:5443/graphql', TWILIO_SIGNATURE_VALIDATION_DISABLED: 'true' };
    expect(problems({ ...valid, ...relaxed, NODE_ENV: 'development' })).toEqual([]);
    expect(problems({ ...valid, ...relaxed, NODE_ENV: 'test' })).toEqual([]);
  });

  it('is what an unset NODE_ENV means', () => {
    const { NODE_ENV: _unset, ...rest } = valid;
    expect(problems({ ...rest, GRAPHQL_API_URL: 'http://graphql-gateway:5443/graphql' })).toHaveLength(1);
  });
});
