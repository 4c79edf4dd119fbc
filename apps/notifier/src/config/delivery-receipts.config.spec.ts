import { ConfigValidationError } from '@app/shared/config/env.js';
import { loadNotifierConfig } from './notifier.config.js';

const env = {
  Kafka__BrokerList: '127.0.0.1:9092',
  REDIS_URL: 'localhost:6379',
  NODE_ENV: 'test',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'secret-token',
  TWILIO_MESSAGE_SERVICE_SID: `MG${'b'.repeat(32)}`,
};

function problems(extra: NodeJS.ProcessEnv): string[] {
  try {
    loadNotifierConfig({ ...env, ...extra });
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('notifier configuration: delivery receipts and validity period', () => {
  it('sets neither by default', () => {
    const twilio = loadNotifierConfig(env).twilio!;
    expect(twilio.statusCallbackUrl).toBeUndefined();
    expect(twilio.validityPeriodSeconds).toBeUndefined();
  });

  it('reads the StatusCallback URL and the ValidityPeriod', () => {
    const callback = 'https://hooks.example.com/api/TwilioStatusCallback?code=k3y';
    const twilio = loadNotifierConfig({ ...env, TWILIO_STATUS_CALLBACK_URL: callback, TWILIO_VALIDITY_PERIOD_SECONDS: '600' }).twilio!;
    expect(twilio).toMatchObject({ statusCallbackUrl: callback, validityPeriodSeconds: 600 });
  });

  it.each([
    ['TWILIO_STATUS_CALLBACK_URL', 'hooks.example.com/api/TwilioStatusCallback', 'must be an absolute http(s) URL'],
    ['TWILIO_STATUS_CALLBACK_URL', 'https://my_hooks.example.com/api/TwilioStatusCallback', 'without underscores'],
    ['TWILIO_STATUS_CALLBACK_URL', `https://hooks.example.com/${'x'.repeat(4000)}`, 'at most 4000'],
    ['TWILIO_VALIDITY_PERIOD_SECONDS', '0', 'between 1 and 36000'],
    ['TWILIO_VALIDITY_PERIOD_SECONDS', '36001', 'between 1 and 36000'],
    ['TWILIO_VALIDITY_PERIOD_SECONDS', '1.5', 'whole number'],
  ])('refuses %s=%s', (name, value, problem) => {
    const lines = problems({ [name]: value });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${name}: .*${problem.replace(/[()]/g, '\\$&')}`));
    // The URL carries the API key: it is never echoed.
    expect(lines[0]).not.toContain('example.com');
  });

  it('refuses, in production, a plain http:// StatusCallback: it carries the API key', () => {
    expect(
      problems({ NODE_ENV: 'production', TWILIO_STATUS_CALLBACK_URL: 'http://hooks.example.com/api/TwilioStatusCallback?code=k' }),
    ).toEqual([
      'TWILIO_STATUS_CALLBACK_URL: must be https:// when NODE_ENV=production: it carries the webhooks API key (?code=) to Twilio',
    ]);
  });
});
