import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BROADCAST_COMPLETED, type BroadcastRecord } from '@app/shared/broadcast/broadcast-records.js';
import { METRICS_REGISTRY, METRIC_PREFIX } from '@app/shared/metrics/metrics.registry.js';
import { PageStreams } from '../fanout/page-streams.js';

/** Seconds from CONFIRM to the last step: seconds for a small list, tens of minutes for a million. */
const DURATION_BUCKETS = [0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * The broadcaster's metrics (served on the health port's `/metrics`): broadcasts in flight,
 * started and finished, SendSms produced, pages read, steps committed and retried, duration.
 */
@Injectable()
export class BroadcasterMetrics {
  private readonly startedTotal: Counter;
  private readonly finishedTotal: Counter<'state'>;
  private readonly producedTotal: Counter;
  private readonly pagesTotal: Counter;
  private readonly stepsTotal: Counter<'outcome'>;
  private readonly deadLettersTotal: Counter;
  private readonly durationSeconds: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, streams: PageStreams) {
    const registers = [registry];
    const name = (suffix: string) => `${METRIC_PREFIX}broadcast_${suffix}`;
    new Gauge({
      name: name('in_flight'),
      help: 'Broadcasts this process is fanning out (a page stream open between steps)',
      registers,
      collect() {
        this.set(streams.size);
      },
    });
    this.startedTotal = new Counter({ name: name('started_total'), help: 'Broadcasts whose first step committed', registers });
    this.finishedTotal = new Counter({
      name: name('finished_total'),
      help: 'Broadcasts whose last step committed, by state (completed, failed)',
      labelNames: ['state'],
      registers,
    });
    this.producedTotal = new Counter({ name: name('sendsms_produced_total'), help: 'SendSms records committed by the fan-out', registers });
    this.pagesTotal = new Counter({ name: name('pages_total'), help: 'Gateway pages of subscribers fanned out (committed)', registers });
    this.stepsTotal = new Counter({
      name: name('steps_total'),
      help: 'Fan-out steps, by outcome (committed, retried)',
      labelNames: ['outcome'],
      registers,
    });
    this.deadLettersTotal = new Counter({
      name: name('dead_letters_total'),
      help: 'Unreadable broadcasts-topic records dead-lettered',
      registers,
    });
    this.durationSeconds = new Histogram({
      name: name('duration_seconds'),
      help: 'From CONFIRM to the last committed step of a broadcast',
      buckets: DURATION_BUCKETS,
      registers,
    });
  }

  started(): void {
    this.startedTotal.inc();
  }

  stepCommitted(produced: number, pages: number): void {
    this.stepsTotal.inc({ outcome: 'committed' });
    this.producedTotal.inc(produced);
    this.pagesTotal.inc(pages);
  }

  stepRetried(): void {
    this.stepsTotal.inc({ outcome: 'retried' });
  }

  finished(record: BroadcastRecord & { finishedAt: string }): void {
    this.finishedTotal.inc({ state: record.type === BROADCAST_COMPLETED ? 'completed' : 'failed' });
    const seconds = (Date.parse(record.finishedAt) - Date.parse(record.request.requestedAt)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) this.durationSeconds.observe(seconds);
  }

  deadLettered(): void {
    this.deadLettersTotal.inc();
  }
}
