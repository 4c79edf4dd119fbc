import { isIP, isIPv4 } from 'node:net';
import { z } from 'zod';
import { blankToUndefined, csv, listenHost, optionalPositiveInt, port, positiveInt } from '@app/shared/config/env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';
import { webhookEndpointsEnv } from '@app/shared/config/webhook-endpoints.env.js';

/** The address ranges Express names (proxy-addr's presets). */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * One TRUST_PROXY entry as Express's `trust proxy` setting takes it: a named range, an IP address,
 * or a subnet as address/prefix (IPv4 also address/netmask). Hop counts and `true` are refused:
 * they trust whoever connects, which is what TRUST_PROXY exists to prevent.
 */
export function isTrustedProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isContiguousNetmask(range);
}

function isContiguousNetmask(mask: string): boolean {
  if (!isIPv4(mask)) return false;
  const bits = mask.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const inverted = 2 ** 32 - 1 - bits;
  return (inverted & (inverted + 1)) === 0;
}

const trustProxy = () =>
  z
    .preprocess(blankToUndefined, csv().optional())
    .refine(
      (list) => list === undefined || list.every(isTrustedProxyEntry),
      'must be a comma-separated list of IP addresses, subnets (address/prefix) or loopback, linklocal, uniquelocal',
    );

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** How both HTTP servers treat their connections. */
export const frontDoorEnv = {
  TRUST_PROXY: trustProxy().meta({
    description:
      'addresses of the reverse proxies whose X-Forwarded-Proto/Host/For are believed (comma-separated IPs, subnets as address/prefix, or loopback, linklocal, uniquelocal); unset = none: the headers are ignored',
  }),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt(30_000).meta({
    description: 'a request (headers and body) must arrive within this; a slower client gets 408 and the connection is closed',
  }),
  HTTP_HEADERS_TIMEOUT_MS: optionalPositiveInt().meta({
    description: `the request headers must arrive within this, at most HTTP_REQUEST_TIMEOUT_MS; unset = ${DEFAULT_HEADERS_TIMEOUT_MS} or HTTP_REQUEST_TIMEOUT_MS if lower`,
  }),
};

export const httpEnv = {
  PORT: port(5000).meta({ description: 'public HTTP port: the two webhook endpoints and nothing else' }),
  INTERNAL_PORT: port(5001).meta({
    description:
      'internal HTTP port: GET /health, /health/ready and /metrics (not served on PORT); keep it off the public network. 0 = any free port',
  }),
  INTERNAL_HOST: listenHost().meta({ description: 'interface the internal port listens on' }),
  ...frontDoorEnv,
  WEBHOOKS_API_KEY: webhookEndpointsEnv.WEBHOOKS_API_KEY,
};

type HttpEnv = z.output<z.ZodObject<typeof httpEnv>>;

/** The checks that involve two variables of this section. */
export function checkHttpEnv(e: HttpEnv, ctx: z.RefinementCtx): void {
  if (e.INTERNAL_PORT !== 0 && e.INTERNAL_PORT === e.PORT)
    ctx.addIssue({
      code: 'custom',
      path: ['INTERNAL_PORT'],
      message: 'must differ from PORT (health and metrics stay off the public port)',
    });
  if (e.HTTP_HEADERS_TIMEOUT_MS !== undefined && e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS)
    ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS' });
}

/** How the HTTP servers treat connections (both ports). */
export interface FrontDoorConfig {
  /** Proxy addresses and ranges for Express's `trust proxy`; empty: X-Forwarded-* is ignored. */
  trustProxy: string[];
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

export interface HttpConfig extends FrontDoorConfig {
  port: number;
  internalPort: number;
  internalHost: string;
  apiKey: string;
}

export function frontDoorConfigFrom(e: z.output<z.ZodObject<typeof frontDoorEnv>>): FrontDoorConfig {
  return {
    trustProxy: e.TRUST_PROXY ?? [],
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS ?? Math.min(DEFAULT_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
  };
}

export function httpConfigFrom(e: HttpEnv): HttpConfig {
  return {
    port: e.PORT,
    internalPort: e.INTERNAL_PORT,
    internalHost: e.INTERNAL_HOST,
    apiKey: e.WEBHOOKS_API_KEY,
    ...frontDoorConfigFrom(e),
  };
}

export const httpConfig = configNamespace<HttpConfig>('http');
