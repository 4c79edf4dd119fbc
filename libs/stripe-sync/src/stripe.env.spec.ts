import { z } from 'zod';
import { ConfigValidationError, parseEnv } from '@app/shared/config/env.js';
import { stripeConfigFrom, stripeEnv } from './stripe.env.js';

const schema = z.object(stripeEnv).transform(stripeConfigFrom);
const required = { STRIPE_API_KEY: 'sk_test_1', STRIPE_WEBHOOKS_SECRET: 'whsec_1' };

describe('Stripe configuration', () => {
  it('has defaults for everything but the key and the secret', () => {
    expect(parseEnv(schema, required)).toEqual({
      apiKey: 'sk_test_1',
      webhooksSecret: 'whsec_1',
      apiUrl: undefined,
      apiTimeoutMs: 5000,
      merchantServiceId: 1,
      dedupeTtlSeconds: 345_600,
      createPlanSubscription: true,
    });
  });

  it('refuses a dedupe TTL shorter than 4 days (Stripe retries for 3) without echoing secrets', () => {
    const error = (() => {
      try {
        parseEnv(schema, { ...required, STRIPE_EVENT_DEDUPE_TTL: String(3 * 86_400) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems).toEqual([
      expect.stringMatching(/^STRIPE_EVENT_DEDUPE_TTL: must be at least 345600 seconds/),
    ]);
    expect(String((error as Error).message)).not.toContain('whsec_1');
  });

  it('reads STRIPE_API_URL and MERCHANT_SERVICE_ID', () => {
    expect(parseEnv(schema, { ...required, STRIPE_API_URL: 'http://127.0.0.1:12111', MERCHANT_SERVICE_ID: '7' })).toMatchObject({
      apiUrl: 'http://127.0.0.1:12111',
      merchantServiceId: 7,
    });
  });
});
