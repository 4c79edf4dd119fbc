import { Controller, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeliveryOutcomeInterceptor } from '../metrics/delivery-outcome.interceptor.js';
import { KafkaBatchContext } from '../transport/kafka-batch.server.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import { NOTIFICATIONS_PATTERN } from '../transport/patterns.js';
import { DeliveryService } from './delivery.service.js';
import type { Outcome } from './outcome.js';

/** The `notifications` topic (its name comes from KAFKA_TOPIC_NOTIFICATIONS; see patterns.ts). */
@Controller()
export class NotificationsController {
  constructor(private readonly delivery: DeliveryService) {}

  @EventPattern<string>(NOTIFICATIONS_PATTERN)
  @UseInterceptors(DeliveryOutcomeInterceptor)
  handle(@Payload() message: InboundMessage, @Ctx() context: KafkaBatchContext): Promise<Outcome> {
    return this.delivery.deliver(message, context.getSignal());
  }
}
