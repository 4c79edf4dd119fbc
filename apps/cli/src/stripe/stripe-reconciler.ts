import Stripe from 'stripe';
import { STRIPE_API_VERSION, hostOptions, type StripeConfig } from '@app/stripe-sync';
import { CliUsageError } from '../cli.errors.js';
import { EXIT_FAILED, EXIT_OK, type CliOutput } from '../cli-output.js';
import type { StripeProcessing } from './stripe-processing.js';

const RELATIVE = /^(\d+)\s*(m|h|d)$/i;
const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/**
 * `--since`: Unix seconds (`1767225600`), an ISO-8601 time (`2026-01-01T00:00:00Z`, `2026-01-01`)
 * or an age (`90m`, `48h`, `7d`). Returns Unix seconds.
 */
export function parseSince(text: string | undefined, now = Date.now()): number {
  const value = (text ?? '').trim();
  if (value === '') throw new CliUsageError('--since <time> is required: Unix seconds, an ISO-8601 time, or an age such as 48h');
  if (/^\d+$/.test(value)) return Number(value);
  const age = RELATIVE.exec(value);
  if (age) return Math.floor(now / 1000) - Number(age[1]) * UNIT_SECONDS[age[2]!.toLowerCase()]!;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliUsageError(`--since "${value}" is neither Unix seconds, an ISO-8601 time nor an age such as 48h`);
  return Math.floor(ms / 1000);
}

/**
 * The client for the events API: like the service's (the same pinned API version), but with retries
 * (nobody is waiting on a webhook).
 */
export function createReconcileStripeClient(config: StripeConfig): Stripe {
  return new Stripe(config.apiKey, {
    apiVersion: STRIPE_API_VERSION,
    ...(config.apiUrl ? hostOptions(config.apiUrl) : {}),
    maxNetworkRetries: 2,
    timeout: config.apiTimeoutMs,
    telemetry: false,
    appInfo: { name: 'nudges-cli' },
  });
}

export interface ReconcileSummary {
  listed: number;
  /** Applied now: processed, stale, skipped or dead-lettered by this run. */
  fed: number;
  alreadyProcessed: number;
  notHandled: number;
  failed: number;
}

export interface ReconcileOptions {
  dryRun?: boolean;
}

/**
 * `stripe:reconcile --since <time>`: every event of the handled types Stripe created since then
 * (events API, all pages), oldest first, through the webhook's own Stripe flow. Events already
 * processed are recognised by the same Redis dedupe and do nothing, so it can run any time.
 */
export class StripeReconciler {
  constructor(
    private readonly stripe: Stripe,
    private readonly processing: StripeProcessing,
    private readonly out: CliOutput,
  ) {}

  async run(since: number, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
    const types = this.processing.handledTypes;
    const events = await this.listEvents(since, types);
    this.out.print(`${events.length} event(s) of ${types.length} handled types since ${new Date(since * 1000).toISOString()}`);
    const summary: ReconcileSummary = { listed: events.length, fed: 0, alreadyProcessed: 0, notHandled: 0, failed: 0 };
    for (const event of events) await this.reconcile(event, summary, options);
    this.out.print(
      `${options.dryRun ? 'would process' : 'processed'} ${summary.fed}, already processed ${summary.alreadyProcessed}, not handled ${summary.notHandled}, failed ${summary.failed}`,
    );
    return summary;
  }

  private async listEvents(since: number, types: string[]): Promise<Stripe.Event[]> {
    const events: Stripe.Event[] = [];
    for await (const event of this.stripe.events.list({ created: { gte: since }, types, limit: 100 })) events.push(event);
    // Stripe lists newest first; the handlers prefer the order things happened in.
    return events.sort((a, b) => a.created - b.created);
  }

  private async reconcile(event: Stripe.Event, summary: ReconcileSummary, options: ReconcileOptions): Promise<void> {
    const label = `${event.id}  ${event.type.padEnd(28)} ${new Date(event.created * 1000).toISOString()}`;
    if (!this.processing.handledTypes.includes(event.type)) {
      summary.notHandled += 1;
      this.out.print(`${label}  not handled`);
      return;
    }
    if (options.dryRun) {
      const done = await this.processing.isProcessed(event.id);
      summary[done ? 'alreadyProcessed' : 'fed'] += 1;
      this.out.print(`${label}  ${done ? 'already processed' : 'would process'}`);
      return;
    }
    const fed = await this.processing.feed(Buffer.from(JSON.stringify(event), 'utf8'));
    if (!fed.ok) {
      summary.failed += 1;
      this.out.warn(`${label}  FAILED: ${fed.error}`);
      return;
    }
    if (fed.outcome === 'duplicate') summary.alreadyProcessed += 1;
    else if (fed.outcome === 'ignored') summary.notHandled += 1;
    else summary.fed += 1;
    this.out.print(`${label}  ${fed.outcome === 'duplicate' ? 'already processed' : fed.outcome}`);
  }
}

export const reconcileExitCode = (s: ReconcileSummary): number => (s.failed > 0 ? EXIT_FAILED : EXIT_OK);
