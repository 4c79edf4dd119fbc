import { Module } from '@nestjs/common';
import { MetricsModule } from '@app/shared/metrics/metrics.module.js';
import { NotifierMetrics } from './notifier-metrics.js';

/** `GET /metrics` on the notifier's health port, and the NotifierMetrics recorder. */
@Module({
  imports: [MetricsModule],
  providers: [NotifierMetrics],
  exports: [NotifierMetrics],
})
export class NotifierMetricsModule {}
