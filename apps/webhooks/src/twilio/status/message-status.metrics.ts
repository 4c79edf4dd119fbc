import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { BoundChildren, METRICS_REGISTRY, METRIC_PREFIX } from '@app/shared/metrics/metrics.registry.js';

/** Twilio's ranges of messaging delivery errors (21xxx, 30xxx, WhatsApp's 63xxx): each its own label; anything else "other". */
const LABELLED_CODES = [
  [21_000, 21_999],
  [30_000, 30_999],
  [63_000, 63_999],
] as const;

const errorCodeLabel = (code: number | undefined): string => {
  if (code === undefined) return 'none';
  return LABELLED_CODES.some(([from, to]) => code >= from && code <= to) ? String(code) : 'other';
};

/**
 * `nudges_twilio_message_status_total{status,error_code}`: each message's final status, counted
 * once (the first final callback of it), with Twilio's error code. And
 * `nudges_twilio_status_callbacks_total{status}`: every callback received, intermediate ones too.
 */
@Injectable()
export class MessageStatusMetrics {
  private readonly finals: BoundChildren<{ inc(): void }>;
  private readonly callbacks: BoundChildren<{ inc(): void }>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const finals = new Counter({
      name: `${METRIC_PREFIX}twilio_message_status_total`,
      help: 'Outbound messages by final status reported by Twilio (delivered, read, undelivered, failed, canceled) and error code, each message once.',
      labelNames: ['status', 'error_code'],
      registers: [registry],
    });
    const callbacks = new Counter({
      name: `${METRIC_PREFIX}twilio_status_callbacks_total`,
      help: 'Twilio status callbacks received, by the status they report.',
      labelNames: ['status'],
      registers: [registry],
    });
    this.finals = new BoundChildren((...v) => finals.labels(...v));
    this.callbacks = new BoundChildren((...v) => callbacks.labels(...v));
  }

  callbackReceived(status: string): void {
    this.callbacks.get(status).inc();
  }

  finalStatus(status: string, errorCode: number | undefined): void {
    this.finals.get(status, errorCodeLabel(errorCode)).inc();
  }
}
