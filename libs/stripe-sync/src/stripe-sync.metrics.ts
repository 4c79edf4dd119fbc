import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { BoundChildren, METRICS_REGISTRY, METRIC_PREFIX } from '@app/shared/metrics/metrics.registry.js';

/** How a checkout's payment stood when one of its events was handled. */
export type CheckoutPaymentResult = 'paid' | 'pending' | 'async_succeeded' | 'async_failed';

/** What became of an event whose object depends on something not synced yet. */
export type NotYetSyncedOutcome = 'retried' | 'deadlettered';

/**
 * The Stripe flow's own series, on the app's registry (GET /metrics of the webhooks app). The CLI
 * has no registry: there they go to a private one nobody scrapes. Label values are event types and
 * API versions of signature-checked events only, so the series stay few.
 */
@Injectable()
export class StripeSyncMetrics {
  private readonly otherVersion: BoundChildren<{ inc(): void }>;
  private readonly notYetSynced: BoundChildren<{ inc(): void }>;
  private readonly checkoutPayments: BoundChildren<{ inc(): void }>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry | null = null) {
    const registers = [registry ?? new Registry()];
    const otherVersion = new Counter({
      name: `${METRIC_PREFIX}stripe_events_other_api_version_total`,
      help: 'Stripe events whose api_version is not the one the handlers are written for, by that version.',
      labelNames: ['api_version'],
      registers,
    });
    const notYetSynced = new Counter({
      name: `${METRIC_PREFIX}stripe_events_not_yet_synced_total`,
      help: 'Stripe events whose object depends on one not synced yet: answered 500 for a retry, or dead-lettered after the grace period.',
      labelNames: ['type', 'outcome'],
      registers,
    });
    const checkoutPayments = new Counter({
      name: `${METRIC_PREFIX}stripe_checkout_payments_total`,
      help: 'Checkout events by payment result: paid at checkout, pending (a delayed method), async payment succeeded or failed.',
      labelNames: ['result'],
      registers,
    });
    this.otherVersion = new BoundChildren((...values) => otherVersion.labels(...values));
    this.notYetSynced = new BoundChildren((...values) => notYetSynced.labels(...values));
    this.checkoutPayments = new BoundChildren((...values) => checkoutPayments.labels(...values));
  }

  eventOfOtherApiVersion(apiVersion: string): void {
    this.otherVersion.get(apiVersion).inc();
  }

  eventNotYetSynced(eventType: string, outcome: NotYetSyncedOutcome): void {
    this.notYetSynced.get(eventType, outcome).inc();
  }

  checkoutPayment(result: CheckoutPaymentResult): void {
    this.checkoutPayments.get(result).inc();
  }
}
