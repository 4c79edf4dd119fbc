import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BoundChildren, METRICS_REGISTRY, METRIC_PREFIX } from '@app/shared/metrics/metrics.registry.js';
import type { OutcomeKind } from '../delivery/outcome.js';
import { isSmsSendError } from '../notifiers/sms-notifier.js';
import type { BreakerState } from '../resilience/circuit-breaker.js';
import type { ConsumerMetrics, PartitionMetrics } from '../transport/consumer-metrics.js';

const BREAKER_STATE_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Seconds; Twilio answers in ~100-500 ms, the client gives up after TWILIO_TIMEOUT_MS. */
const SEND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A dead-letter reason code as a label: the codes are a fixed set plus `twilio.<code>`; anything else is "other". */
const REASON_CODE = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** The Twilio error of a failed send, as a label: its error code, else `http_<status>`, else how the request failed. */
export function twilioErrorLabel(err: unknown): string {
  if (!isSmsSendError(err)) return 'unexpected';
  const { code, status } = err.details;
  if (code !== undefined) return Number.isInteger(code) && code > 0 && code < 100_000 ? String(code) : 'other';
  if (status !== undefined) return `http_${status}`;
  return err.kind === 'ambiguous' ? 'no_answer' : 'connection_failed';
}

interface Inc {
  inc(): void;
}

/** Per-message figures of one partition, kept as plain numbers and handed to prom-client when scraped. */
interface PartitionFigures extends PartitionMetrics {
  labels: { topic: string; partition: string };
  unreportedConsumed: number;
  lagMessages?: number;
}

/**
 * The notifier's metrics (served on the health port's `/metrics`): messages consumed and how
 * they ended, SMS sent, retries, dead letters, Twilio errors, send latency, consumer lag per
 * partition and circuit-breaker state. Label children are bound once: this is the hot path.
 */
@Injectable()
export class NotifierMetrics implements ConsumerMetrics {
  private readonly consumedTotal: Counter<'topic' | 'partition'>;
  private readonly lagGauge: Gauge<'topic' | 'partition'>;
  private readonly processed: BoundChildren<Inc>;
  private readonly sent: BoundChildren<Inc>;
  private readonly retries: BoundChildren<Inc>;
  private readonly deadLetters: BoundChildren<Inc>;
  private readonly twilioErrors: BoundChildren<Inc>;
  private readonly sendSeconds: BoundChildren<{ observe(value: number): void }>;
  private readonly breakers: BoundChildren<{ set(value: number): void }>;
  private readonly partitions = new Map<string, PartitionFigures>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    const name = (suffix: string) => `${METRIC_PREFIX}notifier_${suffix}`;
    // Both are updated per message: the transport bumps plain numbers, copied over on each scrape.
    const partitions = this.partitions;
    this.consumedTotal = new Counter({
      name: name('messages_consumed_total'),
      help: 'Messages read from Kafka and handed to the delivery.',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        for (const figures of partitions.values()) {
          if (figures.unreportedConsumed > 0) this.inc(figures.labels, figures.unreportedConsumed);
          figures.unreportedConsumed = 0;
        }
      },
    });
    this.lagGauge = new Gauge({
      name: name('consumer_lag'),
      help: 'Messages not yet processed in a partition: its high watermark minus the next offset to process (at the last batch this member ran).',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        for (const figures of partitions.values()) if (figures.lagMessages !== undefined) this.set(figures.labels, figures.lagMessages);
      },
    });
    const processed = new Counter({
      name: name('messages_processed_total'),
      help: 'Messages by how their processing ended: delivered, duplicate, skipped (not an SMS), stale (too old to send), opted-out (Twilio 21610: the recipient opted out), dead-lettered, abandoned.',
      labelNames: ['outcome'],
      registers,
    });
    const sent = new Counter({
      name: name('sms_sent_total'),
      help: 'SMS handed to the provider (or found in its log), by notifier kind.',
      labelNames: ['notifier'],
      registers,
    });
    const retries = new Counter({
      name: name('retries_total'),
      help: 'Retries of a failed step, by dependency and reason.',
      labelNames: ['dependency', 'reason'],
      registers,
    });
    const deadLetters = new Counter({
      name: name('dead_lettered_total'),
      help: 'Messages written to the dead-letter topic, by reason code.',
      labelNames: ['reason'],
      registers,
    });
    const twilioErrors = new Counter({
      name: name('twilio_errors_total'),
      help: 'Failed Twilio send requests, by Twilio error code (or http_<status>, no_answer, connection_failed).',
      labelNames: ['code'],
      registers,
    });
    const sendSeconds = new Histogram({
      name: name('send_duration_seconds'),
      help: 'Duration of one SMS send request, in seconds.',
      labelNames: ['notifier', 'result'],
      buckets: SEND_BUCKETS,
      registers,
    });
    const breakers = new Gauge({
      name: name('circuit_breaker_state'),
      help: 'Circuit-breaker state per dependency: 0 closed, 1 half-open, 2 open.',
      labelNames: ['breaker'],
      registers,
    });
    this.processed = new BoundChildren((...v) => processed.labels(...v));
    this.sent = new BoundChildren((...v) => sent.labels(...v));
    this.retries = new BoundChildren((...v) => retries.labels(...v));
    this.deadLetters = new BoundChildren((...v) => deadLetters.labels(...v));
    this.twilioErrors = new BoundChildren((...v) => twilioErrors.labels(...v));
    this.sendSeconds = new BoundChildren((...v) => sendSeconds.labels(...v));
    this.breakers = new BoundChildren((...v) => breakers.labels(...v));
  }

  partition(topic: string, partition: number): PartitionMetrics {
    const key = `${topic}\u0000${partition}`;
    let figures = this.partitions.get(key);
    if (!figures) {
      const created: PartitionFigures = {
        labels: { topic, partition: String(partition) },
        unreportedConsumed: 0,
        consumed: () => void (created.unreportedConsumed += 1),
        lag: (messages) => void (created.lagMessages = Math.max(0, messages)),
      };
      figures = created;
      this.partitions.set(key, figures);
    }
    return figures;
  }

  assigned(assignment: Record<string, number[]>): void {
    for (const [key, figures] of this.partitions) {
      const { topic, partition } = figures.labels;
      if (assignment[topic]?.includes(Number(partition))) continue;
      if (figures.unreportedConsumed > 0) this.consumedTotal.inc(figures.labels, figures.unreportedConsumed);
      this.lagGauge.remove(figures.labels);
      this.partitions.delete(key);
    }
  }

  processedAs(outcome: OutcomeKind): void {
    this.processed.get(outcome).inc();
  }

  smsSent(notifier: string): void {
    this.sent.get(notifier).inc();
  }

  sendTook(notifier: string, seconds: number, error?: unknown): void {
    this.sendSeconds.get(notifier, error === undefined ? 'ok' : 'error').observe(seconds);
    if (error !== undefined && notifier === 'twilio') this.twilioErrors.get(twilioErrorLabel(error)).inc();
  }

  retried(dependency: string, reason: string): void {
    this.retries.get(dependency, reason).inc();
  }

  deadLettered(reasonCode: string): void {
    this.deadLetters.get(REASON_CODE.test(reasonCode) ? reasonCode : 'other').inc();
  }

  breakerState(breaker: string, state: BreakerState): void {
    this.breakers.get(breaker).set(BREAKER_STATE_VALUES[state]);
  }
}
