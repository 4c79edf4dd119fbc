import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { MetricsModule } from '@app/shared/metrics/metrics.module.js';
import { WebhookMetrics } from './webhook-metrics.js';

/** `GET /metrics` for the webhooks app, and the request metrics of both webhook endpoints. */
@Module({
  imports: [MetricsModule],
  providers: [WebhookMetrics],
  exports: [WebhookMetrics],
})
export class WebhookMetricsModule implements NestModule {
  constructor(private readonly metrics: WebhookMetrics) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.metrics.middleware('stripe')).forRoutes({ path: 'api/StripeWebhookHandler', method: RequestMethod.POST });
    consumer.apply(this.metrics.middleware('twilio')).forRoutes({ path: 'api/TwilioWebhookHandler', method: RequestMethod.POST });
  }
}
