import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import type { Outcome } from '../delivery/outcome.js';
import { SMS_NOTIFIER, type SmsNotifier } from '../notifiers/sms-notifier.js';
import { NotifierMetrics } from './notifier-metrics.js';

/** Counts how each notification ended (`messages_processed_total`) and the SMS delivered (`sms_sent_total`). */
@Injectable()
export class DeliveryOutcomeInterceptor implements NestInterceptor<Outcome, Outcome> {
  constructor(
    private readonly metrics: NotifierMetrics,
    @Inject(SMS_NOTIFIER) private readonly notifier: SmsNotifier,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler<Outcome>): Observable<Outcome> {
    return next.handle().pipe(tap((outcome) => this.record(outcome)));
  }

  private record(outcome: Outcome): void {
    this.metrics.processedAs(outcome.kind);
    if (outcome.kind === 'delivered') this.metrics.smsSent(this.notifier.kind);
  }
}
