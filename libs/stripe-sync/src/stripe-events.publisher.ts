import { Inject, Injectable } from '@nestjs/common';
import { createDeadLetter, encodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import { encodeEvent } from '@app/shared/codec/encode.js';
import { encodeDeadLetterKey, encodeForeignProductKey, encodePaymentKey } from '@app/shared/codec/keys.js';
import {
  FailureType,
  PAYMENT_COMPLETED_TYPE,
  type DeadLetterReasonCode,
  type DeadLetterRecord,
  type ForeignProductEvent,
} from '@app/shared/codec/messages.js';
import type { KafkaConfig } from '@app/shared/config/common.env.js';
import { KafkaProducerService } from '@app/shared/kafka/kafka-producer.service.js';

import type { StripeEvent } from './stripe-event.js';
import { kafkaConfig } from '../../shared/src/config/common.env.js';

/** The dead letter's `Topic` for a Stripe webhook request: not a Kafka topic (the colon makes it an illegal name), so no tool replays into one by mistake. */
export const STRIPE_WEBHOOK_ORIGIN = 'http:StripeWebhookHandler';

export interface PaymentCompletedFields {
  clientId: string;
  priceForeignServiceId: string;
  paymentConfirmationId: string;
}

/**
 * Everything the Stripe flows put on Kafka, encoded by the shared wire codec. A failed publish
 * throws KafkaPublishError (transient: the webhook answers 500 and Stripe redelivers).
 */
@Injectable()
export class StripeEventsPublisher {
  constructor(
    private readonly producer: KafkaProducerService,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
  ) {}

  /** Keyed by the confirmation's node id, as the C# PaymentKey is. */
  async paymentCompleted(fields: PaymentCompletedFields, paymentConfirmationNodeId: string): Promise<void> {
    const value = encodeEvent({ $type: PAYMENT_COMPLETED_TYPE, ...fields });
    await this.producer.send(this.kafka.topics.payments, [{ key: encodePaymentKey(paymentConfirmationNodeId), value }]);
  }

  async foreignProduct(event: ForeignProductEvent): Promise<void> {
    await this.producer.send(this.kafka.topics.foreignProducts, [{ key: encodeForeignProductKey(event), value: encodeEvent(event) }]);
  }

  /** Records an event that cannot be applied, with the exact bytes Stripe sent, so it can be replayed. */
  async deadLetter(event: StripeEvent, rawBody: Buffer, reasonCode: DeadLetterReasonCode, reason: string): Promise<DeadLetterRecord> {
    const { key, record } = createDeadLetter({
      source: 'webhooks',
      reasonCode,
      reason,
      attempts: 1,
      failureType: FailureType.Permanent,
      topic: STRIPE_WEBHOOK_ORIGIN,
      failedKeyType: `stripe:${event.type}`,
      stripeEventId: event.id,
      stripeEventType: event.type,
      original: { key: null, value: rawBody },
    });
    await this.producer.send(this.kafka.topics.deadletter, [{ key: encodeDeadLetterKey(key), value: encodeDeadLetter(record) }]);
    return record;
  }
}
