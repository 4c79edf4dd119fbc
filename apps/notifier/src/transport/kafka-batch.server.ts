import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setMaxListeners } from 'node:events';
import { isObservable, lastValueFrom } from 'rxjs';
import { tracedConsume } from '@app/shared/tracing/kafka-tracing.js';
import type { ConsumerConfig } from '../config/notifier.config.js';
import { isAbandoned, sleep } from '../resilience/abortable.js';
import { noConsumerMetrics, type ConsumerMetrics, type PartitionMetrics } from './consumer-metrics.js';
import { toInboundMessage, type InboundMessage } from './inbound-message.js';
import { OffsetTracker } from './offset-tracker.js';

/** What a handler gets besides the message: the abort signal of its batch and a heartbeat. */
export interface BatchControls {
  /** Aborts when the process stops or the partition is taken away: stop waiting, give up unsent work. */
  signal: AbortSignal;
  heartbeat(): Promise<void>;
}

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
}

/**
 * Nest transport for the notifier on kafkajs `eachBatch`, with the delivery guarantees the Nest
 * Kafka transport lacks:
 * - every message ends settled (its handler returns) or is retried by redelivery; a handler that
 *   throws is handed to `onHandlerError` (dead-letter), so no message blocks its partition;
 * - partitions run concurrently (`partitionConcurrency`) and up to `messageConcurrency` messages
 *   of a batch run at once; offsets are committed only up to the highest contiguous settled one;
 * - heartbeats continue while handlers wait (retry backoff, rate limits);
 * - read_committed isolation, auto-commit off.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger('KafkaBatchServer');
  private consumer?: Consumer;
  private readonly stopping = new AbortController();
  private closing?: Promise<void>;
  private restartTimer?: NodeJS.Timeout;
  private readonly handlersByTopic = new Map<string, MessageHandler>();

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
    setMaxListeners(0, this.stopping.signal); // one listener per running batch
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      for (const [pattern, handler] of this.messageHandlers) this.handlersByTopic.set(this.options.resolveTopic(pattern), handler);
      await this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  on(): void {
    // This transport emits no events of its own.
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const c = this.options.consumer;
    const consumer = this.options.kafka.consumer({
      groupId: c.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(c.rebalanceTimeoutMs, c.sessionTimeoutMs),
      // Short long-polls: an idle consumer notices a stop request within a second.
      maxWaitTimeInMs: 1000,
      // Smaller batches than kafkajs' 1 MiB: plenty of messages for the bounded concurrency, less memory.
      maxBytesPerPartition: 256 * 1024,
      readUncommitted: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000, restartOnFailure: async () => !this.stopping.signal.aborted },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.logger.log({ msg: 'joined consumer group', groupId: payload.groupId, memberId: payload.memberId, assignment: payload.memberAssignment });
      (this.options.metrics ?? noConsumerMetrics).assigned(payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error({ msg: 'consumer crashed', err: payload.error, restart: payload.restart });
      if (!payload.restart) this.scheduleRestart();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.handlersByTopic.keys()], fromBeginning: c.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: c.partitionConcurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** A consumer that crashed for good (non-retriable error) is replaced rather than left dead. */
  private scheduleRestart(): void {
    if (this.stopping.signal.aborted || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      const old = this.consumer;
      void (async () => {
        await old?.disconnect().catch(() => undefined);
        if (this.stopping.signal.aborted) return;
        await this.start().catch((err: unknown) => {
          this.logger.error({ msg: 'consumer restart failed; trying again', err });
          this.scheduleRestart();
        });
      })();
    }, 2000);
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.stopping.abort();
    const consumer = this.consumer;
    if (!consumer) return;
    const started = Date.now();
    const graceOver = new AbortController();
    const left = await Promise.race([
      consumer.disconnect().then(
        () => true,
        () => true,
      ),
      sleep(this.options.shutdownGraceMs, graceOver.signal).then(
        () => false,
        () => true,
      ),
    ]);
    graceOver.abort();
    this.logger.log({ msg: left ? 'consumer stopped' : 'consumer did not stop within the grace period', ms: Date.now() - started });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const handler = this.handlersByTopic.get(payload.batch.topic);
    if (!handler) throw new Error(`no handler for topic ${payload.batch.topic}`);
    const groupId = this.options.consumer.groupId;
    const invoke: Invoke = (message, controls) => tracedConsume(message, groupId, () => this.invoke(handler, message, controls));
    await new BatchRun(payload, invoke, this.options, this.stopping.signal, this.logger).run();
  }

  private async invoke(handler: MessageHandler, message: InboundMessage, controls: BatchControls): Promise<'settled' | 'unsettled'> {
    try {
      const returned: unknown = await handler(message, new KafkaBatchContext([message, controls]));
      // Handlers normally resolve to a plain value; only a returned stream needs rxjs.
      const result = isObservable(returned) ? await lastValueFrom(returned, { defaultValue: undefined }) : returned;
      return isUnsettled(result) ? 'unsettled' : 'settled';
    } catch (err) {
      if (controls.signal.aborted || isAbandoned(err)) return 'unsettled';
      try {
        await this.options.onHandlerError(message, err, controls.signal);
        return 'settled';
      } catch (deadLetterErr) {
        if (!isAbandoned(deadLetterErr)) {
          this.logger.error({ msg: 'handler failed and the message could not be dead-lettered; it stays uncommitted', correlationId: message.correlationId, err: deadLetterErr });
        }
        return 'unsettled';
      }
    }
  }
}

type Invoke = (message: InboundMessage, controls: BatchControls) => Promise<'settled' | 'unsettled'>;

const isRebalanceError = (err: unknown): boolean => {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'NOT_COORDINATOR';
};

/** One partition batch: bounded concurrency, heartbeats, contiguous commits. */
class BatchRun {
  private readonly abort = new AbortController();
  private failure?: unknown;
  private lastCommitAt = Date.now();
  private committedOffset?: string;
  private resolvedOffset?: string;
  private committing?: Promise<void>;
  private readonly tracker: OffsetTracker;
  private readonly controls: BatchControls;
  private readonly metrics: PartitionMetrics;
  private readonly highWatermark: bigint;

  constructor(
    private readonly payload: EachBatchPayload,
    private readonly invoke: Invoke,
    private readonly options: KafkaBatchServerOptions,
    stopping: AbortSignal,
    private readonly logger: Logger,
  ) {
    this.tracker = new OffsetTracker(payload.batch.messages.map((m) => m.offset));
    this.metrics = (options.metrics ?? noConsumerMetrics).partition(payload.batch.topic, payload.batch.partition);
    this.highWatermark = BigInt(payload.batch.highWatermark);
    const first = payload.batch.messages[0];
    this.metrics.lag(first ? Number(this.highWatermark - BigInt(first.offset)) : Number(payload.batch.offsetLag()));
    // Every waiting message listens for the abort: up to messageConcurrency listeners, by design.
    setMaxListeners(0, this.abort.signal);
    this.controls = { signal: this.abort.signal, heartbeat: () => this.beat() };
    if (stopping.aborted) this.abort.abort();
    else stopping.addEventListener('abort', () => this.abort.abort(), { once: true, signal: this.abort.signal });
  }

  async run(): Promise<void> {
    const { batch } = this.payload;
    const limit = this.options.consumer.messageConcurrency;
    const heartbeat = setInterval(() => void this.beat(), Math.max(250, Math.floor(this.options.consumer.heartbeatIntervalMs / 2)));
    const running = new Set<Promise<void>>();
    try {
      for (let index = 0; index < batch.messages.length; index++) {
        if (running.size >= limit) await Promise.race(running);
        if (this.shouldStop()) break;
        const message = toInboundMessage(batch.topic, batch.partition, batch.messages[index]!);
        this.metrics.consumed();
        const task: Promise<void> = this.invoke(message, this.controls).then((result) => {
          running.delete(task);
          if (result === 'settled') this.settled(index);
        });
        running.add(task);
      }
      await Promise.all(running);
    } finally {
      clearInterval(heartbeat);
      this.abort.abort();
    }
    await this.commit();
    // Past trailing control records (transaction markers) too, which no message settles.
    if (this.tracker.allFinished) this.metrics.lag(Number(this.payload.batch.offsetLag()));
    if (this.failure) throw this.failure;
  }

  private shouldStop(): boolean {
    if (!this.abort.signal.aborted && (!this.payload.isRunning() || this.payload.isStale())) this.abort.abort();
    return this.abort.signal.aborted;
  }

  private settled(index: number): void {
    this.tracker.finish(index);
    const offset = this.tracker.highestContiguous;
    if (offset === undefined || offset === this.resolvedOffset) return;
    this.resolvedOffset = offset;
    this.payload.resolveOffset(offset);
    this.metrics.lag(Number(this.highWatermark - BigInt(offset) - 1n));
    if (Date.now() - this.lastCommitAt >= this.options.consumer.commitIntervalMs && !this.committing) {
      this.committing = this.commit().finally(() => (this.committing = undefined));
    }
  }

  /** Commits the contiguous settled prefix (once the previous commit of this batch is done). */
  private async commit(): Promise<void> {
    await this.committing;
    // A fully settled batch commits past its trailing control records (transaction markers) too.
    const offset = this.tracker.allFinished ? (BigInt(this.payload.batch.lastOffset()) + 1n).toString() : this.tracker.commitOffset;
    if (offset === undefined || offset === this.committedOffset) return;
    const { topic, partition } = this.payload.batch;
    this.lastCommitAt = Date.now();
    try {
      await this.payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
      this.committedOffset = offset;
    } catch (err) {
      // Not fatal for correctness: uncommitted messages are read again and found in the ledger.
      this.logger.warn({ msg: 'offset commit failed', topic, partition, offset, err });
      if (isRebalanceError(err)) this.fail(err);
    }
  }

  private async beat(): Promise<void> {
    if (this.shouldStop()) return;
    try {
      await this.payload.heartbeat();
    } catch (err) {
      // Rebalance or lost connection: stop taking messages, let running sends finish, and let
      // kafkajs rejoin. Unsettled messages go to whoever gets the partition.
      this.logger.warn({ msg: 'heartbeat failed; ending the batch', topic: this.payload.batch.topic, partition: this.payload.batch.partition, err });
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.abort.abort();
  }
}
