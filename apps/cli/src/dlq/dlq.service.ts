import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import type { ConfigType } from '@nestjs/config';
import { kafkaConfig } from '@app/shared/config/common.env.js';
import { CliUsageError, cliFailureMessage } from '../cli.errors.js';
import { APPLIED_OUTCOMES, type StripeProcessing } from '../stripe/stripe-processing.js';
import type { DeadLetterEntry } from './dead-letter-format.js';
import { readDeadLetterTopic, type StoredDeadLetter } from './dead-letter-reader.js';
import { KafkaReplayer } from './kafka-replayer.js';
import { ReplayLedger } from './replay-ledger.js';
import { deadLetterId, replayTargetOf, type KafkaReplayMessage } from './replay-plan.js';

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
  /** Not replayable at all (a C# dead letter the notifier would not handle, no original). */
  | { action: 'refused'; why: string }
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

/**
 * Milliseconds since the epoch (with the sub-millisecond digits C# writes as a fraction) of an
 * ISO-8601 timestamp; NaN when it is missing or not one.
 */
export function timestampValue(timestamp: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(timestamp);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

/** Oldest failure first; records without a readable timestamp last; then by where they are stored. */
function byFailure(a: DeadLetterEntry, b: DeadLetterEntry): number {
  const ta = timestampValue(a.record.timestamp);
  const tb = timestampValue(b.record.timestamp);
  const time = Number.isNaN(ta) ? (Number.isNaN(tb) ? 0 : 1) : Number.isNaN(tb) ? -1 : ta - tb;
  return time || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));
}

/** Reads the dead-letter topic and replays its records. */
@Injectable()
export class DlqService implements OnApplicationShutdown {
  private stripe?: Promise<StripeProcessing>;

  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafkaSettings: ConfigType<typeof kafkaConfig>,
    @Inject(DLQ_KAFKA) private readonly kafka: Kafka,
    private readonly ledger: ReplayLedger,
    private readonly replayer: KafkaReplayer,
    @Inject(STRIPE_PROCESSING_OPENER) private readonly openStripe: StripeProcessingOpener,
  ) {}

  get topic(): string {
    return this.kafkaSettings.topics.deadletter;
  }

  /** The only topic a C#-written dead letter is replayed to (KAFKA_TOPIC_NOTIFICATIONS). */
  get notificationsTopic(): string {
    return this.kafkaSettings.topics.notifications;
  }

  /** Every dead letter, oldest failure first; a record stored twice (same id) appears once. */
  async load(): Promise<DeadLetterTopicContents> {
    const stored = await readDeadLetterTopic(this.kafka, this.topic);
    const byId = new Map<string, StoredDeadLetter & { record: DeadLetterRecord }>();
    const unreadable: StoredDeadLetter[] = [];
    for (const s of stored) {
      if (!s.record) unreadable.push(s);
      else if (!byId.has(deadLetterId(s.record))) byId.set(deadLetterId(s.record), s as StoredDeadLetter & { record: DeadLetterRecord });
    }
    const statuses = await this.ledger.statuses([...byId.keys()]);
    const entries = [...byId.values()]
      .map((s) => ({ ...s, status: statuses.get(deadLetterId(s.record)) ?? { state: 'none' as const } }))
      .sort(byFailure);
    return { entries, unreadable };
  }

  /** The entry with this id, or with this unambiguous id prefix (at least 8 characters). */
  static find(entries: DeadLetterEntry[], id: string): DeadLetterEntry | undefined {
    const wanted = id.toLowerCase();
    const exact = entries.find((e) => deadLetterId(e.record) === wanted);
    if (exact || id.length < 8) return exact;
    const matches = entries.filter((e) => deadLetterId(e.record).startsWith(wanted));
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
    const id = deadLetterId(record);
    const target = replayTargetOf(record, this.notificationsTopic);
    if (target.kind === 'refused') return { id, action: 'refused', why: target.why };
    if (!options.force && entry.status.state !== 'none') {
      return {
        id,
        action: 'skipped',
        why: entry.status.state === 'in-progress' ? 'a replay is in progress' : 'already replayed (use --force to replay again)',
      };
    }
    if (options.dryRun) return { id, action: 'would-replay', target: target.describe };

    const claim = await this.ledger.claim(id, options.force ?? false);
    if (!claim) return { id, action: 'skipped', why: 'already replayed (use --force to replay again)' };
    try {
      const result =
        target.kind === 'kafka' ? await this.toKafka(id, target.message) : await this.toStripe(id, target.eventId, target.body, applied);
      if (result.action === 'failed') await claim.abandon();
      else await claim.complete(replayRecordOf(result, options.force ?? false));
      return result;
    } catch (err) {
      await claim.abandon().catch(() => undefined);
      // e.g. the Stripe settings are missing: one line naming each variable
      return {
        id,
        action: 'failed',
        error: cliFailureMessage(err)
          .replace(/^cli: /, '')
          .trim()
          .split(/\n\s*/)
          .join(' | '),
      };
    }
  }

  private async toKafka(id: string, message: KafkaReplayMessage): Promise<ReplayResult> {
    try {
      return { id, action: 'published', ...(await this.replayer.publish(id, message)) };
    } catch (err) {
      return { id, action: 'failed', error: `publishing failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /**
   * A dead-lettered Stripe event is marked processed by the webhook (it was acknowledged), so the
   * mark is dropped first, unless a replay of this event already applied it; then the exact body
   * Stripe sent runs through the handlers again.
   */
  private async toStripe(id: string, eventId: string, body: Buffer, applied: Set<string>): Promise<ReplayResult> {
    const stripe = await this.stripeProcessing();
    if (!applied.has(eventId)) await stripe.forget(eventId);
    const fed = await stripe.feed(body);
    if (!fed.ok) return { id, action: 'failed', error: fed.error };
    if (APPLIED_OUTCOMES.has(fed.outcome)) applied.add(eventId);
    return { id, action: 'stripe', stripeEventId: eventId, outcome: fed.outcome };
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
  if (result.action === 'published')
    return { target: 'kafka' as const, replayedAt, forced, topic: result.topic, partition: result.partition, offset: result.offset };
  if (result.action === 'stripe')
    return { target: 'stripe' as const, replayedAt, forced, stripeEventId: result.stripeEventId, outcome: result.outcome };
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
