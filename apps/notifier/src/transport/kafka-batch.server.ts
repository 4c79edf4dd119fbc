import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { tracedConsume } from '@app/shared/tracing/kafka-tracing.js';
import type { ConsumerConfig } from '../config/notifier.config.js';
import { isAbandoned } from '../resilience/abortable.js';
import { BatchConsumer } from '@app/shared/kafka/batch-consumer.js';
import { noConsumerMetrics, type ConsumerMetrics } from './consumer-metrics.js';
import type { InboundMessage } from './inbound-message.js';
import { PartitionBatch, type BatchControls, type ProcessMessage } from './partition-batch.js';

export class KafkaBatchContext extends BaseRpcContext<[InboundMessage, BatchControls]> {
  getMessage(): InboundMessage {
    return this.args[0];
  }

  getSignal(): AbortSignal {
    return this.args[1].signal;
  }

  heartbeat(): Promise<void> {
    return this.args[1].heartbeat();
  }
}

/**
 * A handler result with `settled: false` means "not done" (abandoned on shutdown or rebalance):
 * its offset is not committed, so the message is read again by whoever owns the partition next.
 * Any other result, including undefined, settles the message.
 */
export const isUnsettled = (result: unknown): boolean =>
  typeof result === 'object' && result !== null && (result as { settled?: unknown }).settled === false;

export interface KafkaBatchServerOptions {
  kafka: Kafka;
  consumer: ConsumerConfig;
  /** The Kafka topic of a handler's `@EventPattern` (patterns name topics by role, e.g. 'notifications'). */
  resolveTopic(pattern: string): string;
  /**
   * Last resort when a handler throws: dead-letter the message (resolve) or fail (reject, e.g.
   * Kafka is down; the message then stays uncommitted and is read again).
   */
  onHandlerError(message: InboundMessage, error: unknown, signal: AbortSignal): Promise<void>;
  /** Longest time close() waits for in-flight work and the group leave. */
  shutdownGraceMs: number;
  /** Messages consumed and consumer lag per partition (none recorded when unset). */
  metrics?: ConsumerMetrics;
  /** Messages of a partition with the same key are handled one after the other, in order (PartitionBatch). */
  orderingKey?: (message: InboundMessage) => string | undefined;
}

/**
 * Nest transport for the notifier on kafkajs `eachBatch`, with the delivery guarantees the Nest
 * Kafka transport lacks:
 * - every message ends settled (its handler returns) or is retried by redelivery; a handler that
 *   throws is handed to `onHandlerError` (dead-letter), so no message blocks its partition;
 * - partitions run concurrently (`partitionConcurrency`) and up to `messageConcurrency` messages
 *   of a batch run at once; offsets are committed only up to the highest contiguous settled one
 *   (PartitionBatch);
 * - heartbeats continue while handlers wait (retry backoff, rate limits);
 * - read_committed isolation, auto-commit off, a crashed consumer replaced (BatchConsumer).
 * This class only adapts them to Nest: handlers by topic, and a handler's result or error as
 * settled / unsettled.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger('KafkaBatchServer');
  private readonly consumer: BatchConsumer;
  private closing?: Promise<void>;
  private readonly handlersByTopic = new Map<string, MessageHandler>();

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
    this.consumer = new BatchConsumer({
      ...options,
      onAssigned: (assignment) => (options.metrics ?? noConsumerMetrics).assigned(assignment),
      logger: this.logger,
      eachBatch: (payload, stopping) => this.eachBatch(payload, stopping),
    });
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      for (const [pattern, handler] of this.messageHandlers) this.handlersByTopic.set(this.options.resolveTopic(pattern), handler);
      await this.consumer.start([...this.handlersByTopic.keys()]);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    this.closing ??= this.consumer.stop();
    return this.closing;
  }

  on(): void {
    // This transport emits no events of its own.
  }

  unwrap<T>(): T {
    return this.consumer.current as T;
  }

  private async eachBatch(payload: EachBatchPayload, stopping: AbortSignal): Promise<void> {
    const { topic, partition } = payload.batch;
    const handler = this.handlersByTopic.get(topic);
    if (!handler) throw new Error(`no handler for topic ${topic}`);
    const { groupId, messageConcurrency, heartbeatIntervalMs, commitIntervalMs } = this.options.consumer;
    const process: ProcessMessage = (message, controls) => tracedConsume(message, groupId, () => this.invoke(handler, message, controls));
    const metrics = (this.options.metrics ?? noConsumerMetrics).partition(topic, partition);
    await new PartitionBatch(payload, process, {
      messageConcurrency,
      orderingKey: this.options.orderingKey,
      heartbeatIntervalMs,
      commitIntervalMs,
      stopping,
      metrics,
      logger: this.logger,
    }).run();
  }

  private async invoke(handler: MessageHandler, message: InboundMessage, controls: BatchControls): Promise<'settled' | 'unsettled'> {
    try {
      const returned: unknown = await handler(message, new KafkaBatchContext([message, controls]));
      // Handlers normally resolve to a plain value; only a returned stream needs rxjs.
      const result = isObservable(returned) ? await lastValueFrom(returned, { defaultValue: undefined }) : returned;
      return isUnsettled(result) ? 'unsettled' : 'settled';
    } catch (err) {
      if (controls.signal.aborted || isAbandoned(err)) return 'unsettled';
      return this.deadLetter(message, err, controls.signal);
    }
  }

  /** A handler that throws is a bug: its message is dead-lettered so that it does not block the partition. */
  private async deadLetter(message: InboundMessage, err: unknown, signal: AbortSignal): Promise<'settled' | 'unsettled'> {
    try {
      await this.options.onHandlerError(message, err, signal);
      return 'settled';
    } catch (deadLetterErr) {
      if (!isAbandoned(deadLetterErr)) {
        this.logger.error({
          msg: 'handler failed and the message could not be dead-lettered; it stays uncommitted',
          correlationId: message.correlationId,
          err: deadLetterErr,
        });
      }
      return 'unsettled';
    }
  }
}
