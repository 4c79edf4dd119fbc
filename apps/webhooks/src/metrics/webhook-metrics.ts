import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { Counter, Histogram, type Registry } from 'prom-client';
import { BoundChildren, METRICS_REGISTRY, METRIC_PREFIX } from '@app/shared/metrics/metrics.registry.js';
import { observationOf, runObserved, type WebhookObservation } from './webhook-observation.js';

export type WebhookEndpoint = 'stripe' | 'twilio' | 'twilio_status';

const LABELS = ['endpoint', 'type', 'outcome'] as const;

/** Seconds; Stripe and Twilio both give up after 10-15 s. */
const PROCESSING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The outcome of an answer the handling code did not label: what its status says, from a fixed set. */
export function outcomeOfStatus(status: number, finished: boolean): string {
  if (!finished) return 'aborted';
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 409:
      return 'in_progress';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_media_type';
  }
  if (status >= 500) return 'failed';
  return status >= 400 ? 'rejected' : 'ok';
}

/**
 * `nudges_webhook_requests_total` and `nudges_webhook_processing_seconds` by endpoint, type and
 * outcome. Measured around the whole request (guard and body checks included), so rejected
 * requests are counted too, with type "none". A middleware rather than an interceptor for that
 * reason: Nest runs guards before interceptors, so an interceptor never sees a 401. The handling
 * code labels the request with labelWebhookRequest (webhook-observation.ts).
 */
@Injectable()
export class WebhookMetrics {
  private readonly requests: BoundChildren<{ inc(): void }>;
  private readonly seconds: BoundChildren<{ observe(value: number): void }>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const requests = new Counter({
      name: `${METRIC_PREFIX}webhook_requests_total`,
      help: 'Webhook requests received, by endpoint, event type or SMS command, and outcome.',
      labelNames: LABELS,
      registers: [registry],
    });
    const seconds = new Histogram({
      name: `${METRIC_PREFIX}webhook_processing_seconds`,
      help: 'Time from receiving a webhook request to the end of its answer, in seconds.',
      labelNames: LABELS,
      buckets: PROCESSING_BUCKETS,
      registers: [registry],
    });
    this.requests = new BoundChildren((...values) => requests.labels(...values));
    this.seconds = new BoundChildren((...values) => seconds.labels(...values));
  }

  record(endpoint: WebhookEndpoint, observation: WebhookObservation, status: number, finished: boolean, seconds: number): void {
    const outcome = finished && status < 300 && observation.outcome ? observation.outcome : outcomeOfStatus(status, finished);
    this.requests.get(endpoint, observation.type, outcome).inc();
    this.seconds.get(endpoint, observation.type, outcome).observe(seconds);
  }

  /** Express middleware timing every request of `endpoint` and recording it once its answer ends (or the client leaves). */
  middleware(endpoint: WebhookEndpoint): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const started = performance.now();
      const observation = observationOf(req);
      let recorded = false;
      const record = () => {
        if (recorded) return;
        recorded = true;
        this.record(endpoint, observation, res.statusCode, res.writableFinished, (performance.now() - started) / 1000);
      };
      res.once('finish', record);
      res.once('close', record);
      runObserved(observation, next);
    };
  }
}
