import { z } from 'zod';
import { ConfigValidationError, parseEnv } from './env.js';
import { refusePlaintextCredentials } from './production.env.js';

const schema = z.object({ URL: z.string().optional() }).superRefine((e, ctx) => {
  refusePlaintextCredentials(ctx, [{ variable: 'URL', url: e.URL, carries: 'a token' }]);
});

function problems(url: string): string[] {
  try {
    parseEnv(schema, { URL: url });
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
}

describe('refusePlaintextCredentials', () => {
  it.each(['https://gateway.example.com/graphql', 'rediss://user:secret@cache.example.com:6380', 'redis://cache.example.com:6379'])(
    'accepts %s',
    (url) => expect(problems(url)).toEqual([]),
  );

  it.each([
    'http://127.0.0.1:5443/graphql',
    'http://localhost:8180',
    'http://[::1]:4010',
    'redis://u:p@127.0.0.1:6379',
    'http://api.localhost',
  ])('accepts the loopback address %s (the traffic never leaves the machine)', (url) => expect(problems(url)).toEqual([]));

  it('refuses a plain http:// URL elsewhere, naming the variable and what travels, never the value', () => {
    const found = problems('http://gateway.internal:5443/graphql?token=abc');
    expect(found).toEqual(['URL: must be https:// when NODE_ENV=production: it carries a token']);
    expect(found.join()).not.toContain('gateway.internal');
  });

  it('refuses a Redis URL with a password over plain redis://', () => {
    expect(problems('redis://default:secret@cache.internal:6379')).toEqual([
      'URL: must be rediss:// when NODE_ENV=production: it carries a token',
    ]);
  });

  it('leaves an unset URL alone', () => {
    expect(parseEnv(schema, {})).toEqual({});
  });
});
