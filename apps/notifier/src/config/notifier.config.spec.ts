import { ConfigValidationError } from '@app/shared/config/env.js';
import { loadNotifierConfig } from './notifier.config.js';

const base = { Kafka__BrokerList: '127.0.0.1:9092', REDIS_URL: 'localhost:6379' };
const twilio = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'secret-token',
  TWILIO_MESSAGE_SERVICE_SID: `MG${'b'.repeat(32)}`,
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadNotifierConfig(env);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('notifier configuration', () => {
  it('uses the LocalNotifier in development and needs no Twilio settings there', () => {
    const config = loadNotifierConfig({ ...base, NODE_ENV: 'development' });
    expect(config.notifier).toBe('local');
    expect(config.twilio).toBeUndefined();
    expect(config.consumer).toMatchObject({ groupId: 'notifications-listeners', fromBeginning: true });
    expect(config.health).toEqual({ port: 8081, host: '0.0.0.0' });
    expect(config.delivery.maxMessagesPerSecond).toBeUndefined();
  });

  it('defaults to Twilio outside development and fails with one line per missing credential', () => {
    const lines = problems({ ...base, NODE_ENV: 'production' });
    expect(lines).toHaveLength(3);
    for (const name of Object.keys(twilio)) expect(lines.some((l) => l.startsWith(`${name}: `))).toBe(true);
  });

  it('reports missing Twilio credentials together with other problems', () => {
    const lines = problems({ NOTIFIER: 'twilio', REDIS_URL: 'localhost:6379', HEALTH_PORT: 'x' });
    expect(lines.some((l) => l.startsWith('Kafka__BrokerList: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('HEALTH_PORT: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('TWILIO_AUTH_TOKEN: '))).toBe(true);
  });

  it('never echoes the auth token', () => {
    const lines = problems({ ...base, ...twilio, TWILIO_ACCOUNT_SID: 'not-a-sid', TWILIO_MESSAGE_SERVICE_SID: 'MG123' });
    expect(lines).toEqual([
      'TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits',
      'TWILIO_MESSAGE_SERVICE_SID: must be MG followed by 32 hex digits',
    ]);
    expect(lines.join('\n')).not.toContain('secret-token');
  });

  it('reads the Twilio and delivery settings', () => {
    const config = loadNotifierConfig({
      ...base,
      ...twilio,
      TWILIO_API_URL: 'http://127.0.0.1:4010/',
      TWILIO_MAX_MPS: '100',
      NOTIFIER_DEDUPE_TTL_HOURS: '2',
      HEALTH_PORT: '0',
      KAFKA_AUTO_OFFSET_RESET: 'latest',
    });
    expect(config.notifier).toBe('twilio');
    expect(config.twilio).toMatchObject({
      ...{ accountSid: twilio.TWILIO_ACCOUNT_SID, messagingServiceSid: twilio.TWILIO_MESSAGE_SERVICE_SID },
      apiUrl: 'http://127.0.0.1:4010',
    });
    expect(config.delivery).toMatchObject({ maxMessagesPerSecond: 100, dedupeTtlMs: 7_200_000 });
    expect(config.health.port).toBe(0);
    expect(config.consumer.fromBeginning).toBe(false);
  });

  it('refuses, in production, a plain http:// Twilio API (the auth token travels) unless it is on this machine', () => {
    expect(problems({ ...base, ...twilio, NODE_ENV: 'production', TWILIO_API_URL: 'http://twilio-proxy:4010' })).toEqual([
      'TWILIO_API_URL: must be https:// when NODE_ENV=production: it carries the Twilio auth token',
    ]);
    expect(
      loadNotifierConfig({ ...base, ...twilio, NODE_ENV: 'production', TWILIO_API_URL: 'https://api.twilio.com' }).twilio,
    ).toBeDefined();
    expect(loadNotifierConfig({ ...base, ...twilio, NODE_ENV: 'test', TWILIO_API_URL: 'http://twilio-proxy:4010' }).twilio).toBeDefined();
  });

  it('lets NOTIFIER=local override production', () => {
    expect(loadNotifierConfig({ ...base, NODE_ENV: 'production', NOTIFIER: 'local' }).notifier).toBe('local');
    expect(problems({ ...base, NOTIFIER: 'sms' })).toEqual(['NOTIFIER: must be local or twilio']);
  });
});
