import { Inject, Injectable, Logger } from '@nestjs/common';
import { createDeadLetter, encodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import type { DeadLetterReasonCode, FailureType } from '@app/shared/codec/messages.js';
import { encodeDeadLetterKey } from '@app/shared/codec/keys.js';
import type { KafkaConfig } from '@app/shared/config/common.env.js';

import { KafkaProducerService } from '@app/shared/kafka/kafka-producer.service.js';
import { NotifierMetrics } from '../metrics/notifier-metrics.js';
import { sleep } from '../resilience/abortable.js';
import { backoffDelay } from '../resilience/retry-policy.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import { kafkaConfig } from '@app/shared/config/common.env.js';

export interface DeadLetterReason {
  reasonCode: DeadLetterReasonCode;
  /** For humans; never contains a phone number or a secret. */
  reason: string;
  attempts: number;
  failureType: FailureType;
}

/**
 * Publishes dead letters the C# tooling can read (DeadLetterEvent), with the original key, value
 * and headers byte-exact beside them (base64 when not UTF-8), why and after how many attempts. A failed publish is retried
 * until it works or the batch is abandoned: the original offset is only committed once its
 * dead-letter record is safely in Kafka.
 */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(
    private readonly producer: KafkaProducerService,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    private readonly metrics: NotifierMetrics,
  ) {}

  get topic(): string {
    return this.kafka.topics.deadletter;
  }

  async publish(message: InboundMessage, why: DeadLetterReason, signal?: AbortSignal): Promise<string> {
    const { key, record } = createDeadLetter({
      source: 'notifier',
      reasonCode: why.reasonCode,
      reason: why.reason,
      attempts: why.attempts,
      failureType: why.failureType,
      topic: message.topic,
      original: {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
      },
    });
    const outgoing = {
      key: encodeDeadLetterKey(key),
      value: encodeDeadLetter(record),
      headers: {
        traceparent: message.correlationId.includes('/') ? undefined : message.correlationId,
        'x-reason-code': String(why.reasonCode),
      },
    };
    const headers = Object.fromEntries(Object.entries(outgoing.headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.send(this.topic, [{ key: outgoing.key, value: outgoing.value, headers }]);
        this.metrics.deadLettered(why.reasonCode);
        return record.eventKey.id;
      } catch (err) {
        this.logger.warn({ msg: 'dead-letter publish failed; retrying', correlationId: message.correlationId, attempt, err });
        await sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 5000 }), signal);
      }
    }
  }
}
