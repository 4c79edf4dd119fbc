import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { WebhookMetrics } from '../../metrics/webhook-metrics.js';
import { WebhookMetricsModule } from '../../metrics/webhook-metrics.module.js';
import { TwilioSignatureModule } from '../inbound/twilio-signature.module.js';
import { MessageStatusMetrics } from './message-status.metrics.js';
import { MessageStatusStore } from './message-status.store.js';
import { StatusCallbackController } from './status-callback.controller.js';
import { StatusCallbackService } from './status-callback.service.js';

/**
 * Twilio's status callbacks (delivery receipts): `POST /api/TwilioStatusCallback`, each message's
 * final status in Redis and in metrics, a broadcast's counts in its BroadcastDeliveryStore. Needs
 * REDIS, the `twilio` config section (signature) and the app's metrics registry.
 */
@Module({
  imports: [TwilioSignatureModule, WebhookMetricsModule],
  controllers: [StatusCallbackController],
  providers: [MessageStatusStore, MessageStatusMetrics, BroadcastDeliveryStore, StatusCallbackService],
})
export class TwilioStatusModule implements NestModule {
  constructor(private readonly metrics: WebhookMetrics) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.metrics.middleware('twilio_status')).forRoutes({ path: 'api/TwilioStatusCallback', method: RequestMethod.POST });
  }
}
