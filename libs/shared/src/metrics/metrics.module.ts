import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY, createMetricsRegistry } from './metrics.registry.js';

/**
 * Prometheus metrics: the app's own Registry (METRICS_REGISTRY, default process metrics
 * included) and `GET /metrics`. Global, so each app's recorders register their metrics on it.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_REGISTRY, useFactory: createMetricsRegistry }],
  exports: [METRICS_REGISTRY],
})
export class MetricsModule {}
