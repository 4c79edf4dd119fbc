// The webhooks app as a separate process (the built app, as deployed) for the fault scenarios, and
// the senders' side: Stripe's and Twilio's way of retrying a webhook that did not answer 2xx.
import { spawnApp, webhooksPortsOf, type AppProcess } from '../app-process.js';
import { baseWebhooksEnv } from '../webhooks-app.js';
import { freePort } from '../notifier/private-broker.js';
import { deliver, API_KEY } from '../stripe/stripe-harness.js';
import type { StripeEventPayload } from '../stripe/stripe-fixtures.js';

export interface WebhooksProcess {
  proc: AppProcess;
  /** Base URL of the webhook endpoints, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Base URL of /health, /health/ready and /metrics (the internal port). */
  internalUrl: string;
  stripeEndpoint: string;
  stop(): Promise<void>;
}

/** Starts `node dist/…/webhooks/main.js` on a free port with the test env plus `env`; resolves once it listens. */
export async function startWebhooksProcess(env: Record<string, string>, label: string): Promise<WebhooksProcess> {
  const port = await freePort();
  const proc = await spawnApp('webhooks', { ...baseWebhooksEnv(), LOG_LEVEL: 'info', ...env, PORT: String(port) }, label);
  const { internalPort } = await webhooksPortsOf(proc);
  const url = `http://127.0.0.1:${port}`;
  return {
    proc,
    url,
    internalUrl: `http://127.0.0.1:${internalPort}`,
    stripeEndpoint: `${url}/api/StripeWebhookHandler?code=${API_KEY}`,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

export interface RetryPolicy {
  /** First retry delay; doubles per attempt (Stripe: 1 h → … → 3 days, here compressed to milliseconds). */
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const COMPRESSED_STRIPE_RETRIES: RetryPolicy = { baseMs: 25, maxMs: 2_000, maxAttempts: 15 };

export interface RetriedDelivery {
  /** Every status answered, in order; the last one is 2xx unless the attempts ran out. */
  statuses: number[];
  finalBody: string;
  /** From the first attempt to the 2xx answer. */
  latencyMs: number;
}

/**
 * Delivers as Stripe does: any non-2xx answer (or a connection failure, recorded as 0) is retried
 * after an exponentially growing, jittered delay until a 2xx or the attempts run out.
 */
export function deliverUntilAcknowledged(
  endpoint: string,
  event: StripeEventPayload | string,
  policy: RetryPolicy = COMPRESSED_STRIPE_RETRIES,
): Promise<RetriedDelivery> {
  return retryUntil2xx(() => deliver(endpoint, event), policy);
}

/** Repeats `send` (the same request, as a webhook sender's retry) until it answers 2xx or the attempts run out. */
export async function retryUntil2xx(send: () => Promise<{ status: number; body: string }>, policy: RetryPolicy): Promise<RetriedDelivery> {
  const started = Date.now();
  const statuses: number[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const answer = await send().catch(() => ({ status: 0, body: '' }));
    statuses.push(answer.status);
    if (is2xx(answer.status) || attempt >= policy.maxAttempts) {
      return { statuses, finalBody: answer.body, latencyMs: Date.now() - started };
    }
    const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time; results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Fisher–Yates with a seeded generator, so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export const is2xx = (status: number) => status >= 200 && status < 300;

/** Log lines of an app process that carry a stack trace (as a `stack` field or as frames). */
export const stackTraceLines = (proc: AppProcess): string[] =>
  proc
    .output()
    .split('\n')
    .filter((line) => /"stack":|\\n\s+at /.test(line));
