import { z } from 'zod';
import { ConfigValidationError, bool, brokerList, csv, httpUrl, parseEnv, port, requiredString } from './env.js';
import { kafkaConfigFrom, kafkaEnv, redisConfigFrom, redisEnv } from './common.env.js';

const schema = z.object({
  API_KEY: requiredString(),
  PORT: port(5000),
  URL: httpUrl(),
  FLAG: bool(false),
  LIST: csv('a,b'),
  Kafka__BrokerList: brokerList(),
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(schema, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('parseEnv', () => {
  it('returns typed values and applies defaults', () => {
    const env = parseEnv(schema, { API_KEY: 'k', URL: 'http://x:1/y', Kafka__BrokerList: 'a:1, b:2' });
    expect(env).toEqual({
      API_KEY: 'k',
      PORT: 5000,
      URL: 'http://x:1/y',
      FLAG: false,
      LIST: ['a', 'b'],
      Kafka__BrokerList: ['a:1', 'b:2'],
    });
  });

  it('reports one line per missing or malformed variable, naming it', () => {
    expect(problemsOf({ PORT: '99999', URL: 'ftp://x', FLAG: 'maybe', Kafka__BrokerList: 'nohost' })).toEqual([
      'API_KEY: is required but not set',
      'PORT: must be between 0 and 65535',
      'URL: must be an absolute http(s) URL',
      'FLAG: must be true or false',
      'Kafka__BrokerList: must be a comma-separated list of host:port',
    ]);
  });

  it('treats blank values as unset', () => {
    expect(problemsOf({ API_KEY: '  ', URL: 'http://x', Kafka__BrokerList: 'a:1' })).toEqual(['API_KEY: is required but not set']);
  });

  it('gives a rule across variables its own message, also when the variable it names is unset', () => {
    const withRule = schema.superRefine((e, ctx) => {
      if (e.PORT === 5000) ctx.addIssue({ code: 'custom', path: ['PORT'], message: 'must not be 5000 here' });
    });
    let problems: string[] = [];
    try {
      parseEnv(withRule, { API_KEY: 'k', URL: 'http://x', Kafka__BrokerList: 'a:1' });
    } catch (err) {
      problems = (err as ConfigValidationError).problems;
    }
    expect(problems).toEqual(['PORT: must not be 5000 here']);
  });

  it('never echoes a value back', () => {
    const secret = 'sk_live_should_not_appear';
    const message = new ConfigValidationError(problemsOf({ API_KEY: 'x', URL: secret, Kafka__BrokerList: secret })).message;
    expect(message).not.toContain(secret);
  });
});

describe('shared env sections', () => {
  it('maps Kafka variables to a config with the contract topic names by default', () => {
    const e = parseEnv(z.object(kafkaEnv), { Kafka__BrokerList: 'kafka:9092' });
    expect(kafkaConfigFrom(e, 'webhooks')).toEqual({
      brokers: ['kafka:9092'],
      clientId: 'webhooks',
      createTopics: true,
      partitions: 6,
      replicationFactor: 1,
      topics: {
        notifications: 'notifications',
        payments: 'payments',
        foreignProducts: 'foreign-products',
        deadletter: 'deadletter',
        broadcasts: 'broadcasts',
      },
    });
  });

  it('accepts REDIS_URL as Nudges deploys it (host:port) and as a redis:// URL', () => {
    const parse = (url: string) => redisConfigFrom(parseEnv(z.object(redisEnv), { REDIS_URL: url })).url;
    expect(parse('redis:6379')).toBe('redis://redis:6379');
    expect(parse('rediss://u:p@cache:6380/2')).toBe('rediss://u:p@cache:6380/2');
  });
});
