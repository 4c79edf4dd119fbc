import express from 'express';
import { z } from 'zod';
import { ConfigValidationError, parseEnv } from '@app/shared/config/env.js';
import { checkHttpEnv, httpConfigFrom, httpEnv, isTrustedProxyEntry } from './http.env.js';

const KEY = 'k'.repeat(32);
const schema = z.object(httpEnv).superRefine(checkHttpEnv);
const parse = (env: Record<string, string>) => httpConfigFrom(parseEnv(schema, { WEBHOOKS_API_KEY: KEY, ...env }));

function problems(env: Record<string, string>): string[] {
  try {
    parse(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
}

describe('webhooks HTTP settings', () => {
  it('defaults: public 5000, internal 5001 on every interface, no trusted proxy, 30 s / 10 s deadlines', () => {
    expect(parse({})).toEqual({
      port: 5000,
      internalPort: 5001,
      internalHost: '0.0.0.0',
      apiKey: KEY,
      trustProxy: [],
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
    });
  });

  describe('TRUST_PROXY', () => {
    const accepted = ['loopback', '10.0.0.1', '10.0.0.0/8', '192.168.0.0/255.255.0.0', '::1', 'fd00::/8', 'linklocal', 'uniquelocal'];

    it('takes addresses, subnets and the named ranges, as a list', () => {
      expect(parse({ TRUST_PROXY: accepted.join(', ') }).trustProxy).toEqual(accepted);
    });

    it('passes only values Express itself accepts for `trust proxy`', () => {
      const app = express();
      app.set('trust proxy', accepted);
      const trusts = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
      expect(trusts('10.1.2.3', 0)).toBe(true);
      expect(trusts('203.0.113.9', 0)).toBe(false);
    });

    it.each(['true', '1', '2', 'everyone', '10.0.0.0/33', '::1/129', '10.0.0.0/255.0.255.0', '1.2.3.4/8/8', '10.0.0.300'])(
      'refuses %s (hop counts and `true` trust whoever connects)',
      (value) => {
        expect(problems({ TRUST_PROXY: value })).toEqual([
          'TRUST_PROXY: must be a comma-separated list of IP addresses, subnets (address/prefix) or loopback, linklocal, uniquelocal',
        ]);
        expect(isTrustedProxyEntry(value)).toBe(false);
      },
    );

    it('treats blank as unset: nobody is trusted', () => {
      expect(parse({ TRUST_PROXY: ' ' }).trustProxy).toEqual([]);
    });
  });

  it('keeps the internal port apart from the public one (0 = any free port for both is fine)', () => {
    expect(problems({ PORT: '8080', INTERNAL_PORT: '8080' })).toEqual([
      'INTERNAL_PORT: must differ from PORT (health and metrics stay off the public port)',
    ]);
    expect(problems({ PORT: '5001' })).toEqual(['INTERNAL_PORT: must differ from PORT (health and metrics stay off the public port)']);
    expect(parse({ PORT: '0', INTERNAL_PORT: '0' })).toMatchObject({ port: 0, internalPort: 0 });
  });

  it('wants the headers deadline within the request deadline', () => {
    expect(problems({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS',
    ]);
    expect(problems({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toEqual(['HTTP_REQUEST_TIMEOUT_MS: must be greater than 0']);
    expect(parse({ HTTP_REQUEST_TIMEOUT_MS: '4000' })).toMatchObject({ requestTimeoutMs: 4000, headersTimeoutMs: 4000 });
  });

  it('wants WEBHOOKS_API_KEY of at least 32 characters, without echoing it', () => {
    const short = 'short-but-secret-key-31-chars!!!'.slice(0, 31);
    const found = problems({ WEBHOOKS_API_KEY: short });
    expect(found).toEqual(['WEBHOOKS_API_KEY: must be at least 32 characters (e.g. the output of openssl rand -hex 32)']);
    expect(found.join()).not.toContain(short);
    expect(parse({ WEBHOOKS_API_KEY: 'x'.repeat(32) }).apiKey).toHaveLength(32);
  });
});
