import { isIP } from 'node:net';
import type { z } from 'zod';

/** A configured URL that a credential travels over, and what that credential is (for the message). */
export interface CredentialUrl {
  variable: string;
  url: string | undefined;
  carries: string;
}

/**
 * With NODE_ENV=production a credential must not cross the network in clear text: each URL that
 * carries one must use TLS (`https://`, or `rediss://` for a Redis URL with a password). A loopback
 * host is allowed (the traffic never leaves the machine, e.g. a local proxy that adds TLS).
 * Adds one issue per offending variable; the value is never part of the message.
 */
export function refusePlaintextCredentials(ctx: z.RefinementCtx, urls: readonly CredentialUrl[]): void {
  for (const { variable, url, carries } of urls) {
    const problem = url === undefined ? undefined : plaintextProblem(url, carries);
    if (problem) ctx.addIssue({ code: 'custom', path: [variable], message: problem });
  }
}

/** Refuses a switch that must stay off in production. */
export function refuseInProduction(ctx: z.RefinementCtx, variable: string, why: string): void {
  ctx.addIssue({ code: 'custom', path: [variable], message: `must not be true when NODE_ENV=production: ${why}` });
}

function plaintextProblem(value: string, carries: string): string | undefined {
  if (!URL.canParse(value)) return undefined; // the field's own check reports it
  const url = new URL(value);
  if (isLoopback(url.hostname)) return undefined;
  if (url.protocol === 'http:') return `must be https:// when NODE_ENV=production: it carries ${carries}`;
  if (url.protocol === 'redis:' && (url.username !== '' || url.password !== ''))
    return `must be rediss:// when NODE_ENV=production: it carries ${carries}`;
  return undefined;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
