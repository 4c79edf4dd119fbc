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
      notYetSyncedGraceSeconds: 3600,
      createPlanSubscription: true,
    });
  });

  it('reads STRIPE_NOT_YET_SYNCED_GRACE from 0 (dead-letter at once) to 2 days', () => {
    expect(parseEnv(schema, { ...required, STRIPE_NOT_YET_SYNCED_GRACE: '0' }).notYetSyncedGraceSeconds).toBe(0);
    expect(parseEnv(schema, { ...required, STRIPE_NOT_YET_SYNCED_GRACE: '172800' }).notYetSyncedGraceSeconds).toBe(172_800);
  });

  it.each([
    ['172801', /^STRIPE_NOT_YET_SYNCED_GRACE: must be at most 172800 seconds \(2 days; Stripe stops retrying after 3/],
    ['-1', /^STRIPE_NOT_YET_SYNCED_GRACE: must be 0 or more$/],
    ['1h', /^STRIPE_NOT_YET_SYNCED_GRACE: must be a number$/],
    ['90.5', /^STRIPE_NOT_YET_SYNCED_GRACE: must be a whole number$/],
  ])('refuses STRIPE_NOT_YET_SYNCED_GRACE=%s with one clear line', (value, problem) => {
    const error = (() => {
      try {
        parseEnv(schema, { ...required, STRIPE_NOT_YET_SYNCED_GRACE: value });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems).toEqual([expect.stringMatching(problem)]);
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
