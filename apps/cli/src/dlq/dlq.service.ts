import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { fromEncodedBytes } from '@app/shared/codec/bytes.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import type { DlqConfig } from '../cli.env.js';
import { CliUsageError, cliFailureMessage } from '../cli.errors.js';
import { APPLIED_OUTCOMES, type StripeProcessing } from '../stripe/stripe-processing.js';
import type { DeadLetterEntry } from './dead-letter-format.js';
import { readDeadLetterTopic, type StoredDeadLetter } from './dead-letter-reader.js';
import { KafkaReplayer } from './kafka-replayer.js';
import { ReplayLedger } from './replay-ledger.js';

export const DLQ_CONFIG = Symbol('DLQ_CONFIG');
export const DLQ_KAFKA = Symbol('DLQ_KAFKA');
/** Opens the Stripe flow when a Stripe dead letter is replayed (needs the Stripe and gateway settings). */
export const STRIPE_PROCESSING_OPENER = Symbol('STRIPE_PROCESSING_OPENER');
export type StripeProcessingOpener = () => Promise<StripeProcessing>;

export interface DeadLetterTopicContents {
  entries: DeadLetterEntry[];
  /** Records of the topic that are not dead-letter records (kept out of `entries`). */
  unreadable: StoredDeadLetter[];
}

export type ReplayResult = { id: string } & (
  | { action: 'published'; topic: string; partition: number; offset: string }
  | { action: 'stripe'; stripeEventId: string; outcome: string }
  | { action: 'would-replay'; target: string }
  | { action: 'skipped'; why: string }
  | { action: 'failed'; error: string }
);

export interface ReplayOptions {
  force?: boolean;
  dryRun?: boolean;
}

/** `reason` matches exactly, or as a prefix when it ends with `*` (`twilio.*`; `*` alone: all). */
export function reasonMatches(reasonCode: string, pattern: string): boolean {
  return pattern.endsWith('*') ? reasonCode.startsWith(pattern.slice(0, -1)) : reasonCode === pattern;
}

/** Where a dead letter goes back to: its Kafka topic, or the Stripe handlers for a webhook's event. */
export function replayTargetOf(record: DeadLetterRecord): { kind: 'kafka'; topic: string } | { kind: 'stripe'; eventId: string } | null {
  if (record.original.topic) return { kind: 'kafka', topic: record.original.topic };
  if (record.source === 'webhooks' && record.stripeEventId && record.original.value) return { kind: 'stripe', eventId: record.stripeEventId };
  return null;
}

/** Reads the dead-letter topic and replays its records. */
@Injectable()
export class DlqService implements OnApplicationShutdown {
  private stripe?: Promise<StripeProcessing>;

  constructor(
    @Inject(DLQ_CONFIG) private readonly config: DlqConfig,
    @Inject(DLQ_KAFKA) private readonly kafka: Kafka,
    private readonly ledger: ReplayLedger,
    private readonly replayer: KafkaReplayer,
    @Inject(STRIPE_PROCESSING_OPENER) private readonly openStripe: StripeProcessingOpener,
  ) {}

  get topic(): string {
    return this.config.kafka.topics.deadletter;
  }

  /** Every dead letter, oldest failure first; a record stored twice (same id) appears once. */
  async load(): Promise<DeadLetterTopicContents> {
    const stored = await readDeadLetterTopic(this.kafka, this.topic);
    const byId = new Map<string, StoredDeadLetter & { record: DeadLetterRecord }>();
    const unreadable: StoredDeadLetter[] = [];
    for (const s of stored) {
      if (!s.record) unreadable.push(s);
      else if (!byId.has(s.record.id)) byId.set(s.record.id, s as StoredDeadLetter & { record: DeadLetterRecord });
    }
    const statuses = await this.ledger.statuses([...byId.keys()]);
    const entries = [...byId.values()]
      .map((s) => ({ ...s, status: statuses.get(s.record.id) ?? { state: 'none' as const } }))
      .sort((a, b) => a.record.failedAt.localeCompare(b.record.failedAt) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    return { entries, unreadable };
  }

  /** The entry with this id, or with this unambiguous id prefix (at least 8 characters). */
  static find(entries: DeadLetterEntry[], id: string): DeadLetterEntry | undefined {
    const exact = entries.find((e) => e.record.id === id);
    if (exact || id.length < 8) return exact;
    const matches = entries.filter((e) => e.record.id.startsWith(id));
    if (matches.length > 1) throw new CliUsageError(`"${id}" matches ${matches.length} dead letters; give more of the id`);
    return matches[0];
  }

  /** Replays each entry in turn; one failing does not stop the others. */
  async replay(entries: DeadLetterEntry[], options: ReplayOptions, all: DeadLetterEntry[] = entries): Promise<ReplayResult[]> {
    const applied = appliedStripeEvents(all);
    const results: ReplayResult[] = [];
    for (const entry of entries) results.push(await this.replayOne(entry, options, applied));
    return results;
  }

  private async replayOne(entry: DeadLetterEntry, options: ReplayOptions, applied: Set<string>): Promise<ReplayResult> {
    const { record } = entry;
    const id = record.id;
    const target = replayTargetOf(record);
    if (!target) return { id, action: 'failed', error: 'neither an original topic nor a Stripe event to replay' };
    if (!options.force && entry.status.state !== 'none') {
      return { id, action: 'skipped', why: entry.status.state === 'in-progress' ? 'a replay is in progress' : 'already replayed (use --force to replay again)' };
    }
    if (options.dryRun) return { id, action: 'would-replay', target: target.kind === 'kafka' ? `topic ${target.topic}` : `Stripe handlers (${target.eventId})` };

    const claim = await this.ledger.claim(id, options.force ?? false);
    if (!claim) return { id, action: 'skipped', why: 'already replayed (use --force to replay again)' };
    try {
      const result = target.kind === 'kafka' ? await this.toKafka(record) : await this.toStripe(record, target.eventId, applied);
      if (result.action === 'failed') await claim.abandon();
      else await claim.complete(replayRecordOf(result, options.force ?? false));
      return result;
    } catch (err) {
      await claim.abandon().catch(() => undefined);
      // e.g. the Stripe settings are missing: one line naming each variable
      return { id, action: 'failed', error: cliFailureMessage(err).replace(/^cli: /, '').trim().split(/\n\s*/).join(' | ') };
    }
  }

  private async toKafka(record: DeadLetterRecord): Promise<ReplayResult> {
    try {
      return { id: record.id, action: 'published', ...(await this.replayer.publish(record)) };
    } catch (err) {
      return { id: record.id, action: 'failed', error: `publishing failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /**
   * A dead-lettered Stripe event is marked processed by the webhook (it was acknowledged), so the
   * mark is dropped first, unless a replay of this event already applied it; then the exact body
   * Stripe sent runs through the handlers again.
   */
  private async toStripe(record: DeadLetterRecord, eventId: string, applied: Set<string>): Promise<ReplayResult> {
    const stripe = await this.stripeProcessing();
    if (!applied.has(eventId)) await stripe.forget(eventId);
    const fed = await stripe.feed(fromEncodedBytes(record.original.value!));
    if (!fed.ok) return { id: record.id, action: 'failed', error: fed.error };
    if (APPLIED_OUTCOMES.has(fed.outcome)) applied.add(eventId);
    return { id: record.id, action: 'stripe', stripeEventId: eventId, outcome: fed.outcome };
  }

  private stripeProcessing(): Promise<StripeProcessing> {
    this.stripe ??= this.openStripe();
    return this.stripe;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.replayer.close().catch(() => undefined);
    const stripe = await this.stripe?.catch(() => undefined);
    await stripe?.close();
  }
}

function replayRecordOf(result: ReplayResult, forced: boolean) {
  const replayedAt = new Date().toISOString();
  if (result.action === 'published') return { target: 'kafka' as const, replayedAt, forced, topic: result.topic, partition: result.partition, offset: result.offset };
  if (result.action === 'stripe') return { target: 'stripe' as const, replayedAt, forced, stripeEventId: result.stripeEventId, outcome: result.outcome };
  throw new Error(`no replay record for ${result.action}`);
}

/** Stripe events a recorded replay already applied: their processed mark must stay. */
function appliedStripeEvents(entries: DeadLetterEntry[]): Set<string> {
  const applied = new Set<string>();
  for (const e of entries) {
    if (e.status.state === 'replayed' && e.status.record.target === 'stripe' && APPLIED_OUTCOMES.has(e.status.record.outcome as never)) {
      applied.add(e.status.record.stripeEventId);
    }
  }
  return applied;
}
