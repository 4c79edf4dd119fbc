import type { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

/** The consumer-group settings a BatchConsumer needs. */
export interface BatchConsumerSettings {
  groupId: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  partitionConcurrency: number;
  /** Longest a fetch waits for records when there are none (default 1000 ms). */
  maxWaitTimeMs?: number;
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  consumer: BatchConsumerSettings;
  /** Longest time stop() waits for in-flight work and the group leave. */
  shutdownGraceMs: number;
  /** Told the partitions of each new assignment. */
  onAssigned?(assignment: Record<string, number[]>): void;
  logger: Logger;
  /** Runs one partition batch; `stopping` aborts when the process stops. */
  eachBatch(payload: EachBatchPayload, stopping: AbortSignal): Promise<void>;
}

const RESTART_DELAY_MS = 2000;

/**
 * The kafkajs consumer's life: join the group with auto-commit off and read_committed isolation,
 * run `eachBatch` for every partition batch, replace a consumer that crashed for good, and on
 * stop leave the group within the grace period.
 */
export class BatchConsumer {
  private consumer?: Consumer;
  private topics: string[] = [];
  private readonly stopping = new AbortController();
  private restartTimer?: NodeJS.Timeout;

  constructor(private readonly options: BatchConsumerOptions) {
    setMaxListeners(0, this.stopping.signal); // one listener per running batch
  }

  /** The running kafkajs consumer. */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  async start(topics: string[]): Promise<void> {
    this.topics = topics;
    const consumer = this.create();
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.consumer.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.consumer.partitionConcurrency,
      eachBatch: (payload) => this.options.eachBatch(payload, this.stopping.signal),
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.stopping.abort();
    const consumer = this.consumer;
    if (!consumer) return;
    const started = Date.now();
    const left = await this.disconnectWithin(consumer, this.options.shutdownGraceMs);
    this.options.logger.log({ msg: left ? 'consumer stopped' : 'consumer did not stop within the grace period', ms: Date.now() - started });
  }

  private create(): Consumer {
    const c = this.options.consumer;
    const consumer = this.options.kafka.consumer({
      groupId: c.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(c.rebalanceTimeoutMs, c.sessionTimeoutMs),
      // Short long-polls: an idle consumer notices a stop request within a second.
      maxWaitTimeInMs: c.maxWaitTimeMs ?? 1000,
      // Smaller batches than kafkajs' 1 MiB: plenty of messages for the bounded concurrency, less memory.
      maxBytesPerPartition: 256 * 1024,
      readUncommitted: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000, restartOnFailure: async () => !this.stopping.signal.aborted },
    });
    const { logger } = this.options;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      logger.log({
        msg: 'joined consumer group',
        groupId: payload.groupId,
        memberId: payload.memberId,
        assignment: payload.memberAssignment,
      });
      this.options.onAssigned?.(payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ msg: 'consumer crashed', err: payload.error, restart: payload.restart });
      if (!payload.restart) this.scheduleRestart();
    });
    return consumer;
  }

  /** A consumer that crashed for good (non-retriable error) is replaced rather than left dead. */
  private scheduleRestart(): void {
    if (this.stopping.signal.aborted || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart(this.consumer);
    }, RESTART_DELAY_MS);
  }

  private async restart(old: Consumer | undefined): Promise<void> {
    await old?.disconnect().catch(() => undefined);
    if (this.stopping.signal.aborted) return;
    await this.start(this.topics).catch((err: unknown) => {
      this.options.logger.error({ msg: 'consumer restart failed; trying again', err });
      this.scheduleRestart();
    });
  }

  /** True when the consumer left (or failed trying) before the grace period ended. */
  private async disconnectWithin(consumer: Consumer, graceMs: number): Promise<boolean> {
    const graceOver = new AbortController();
    const left = await Promise.race([
      consumer.disconnect().then(
        () => true,
        () => true,
      ),
      sleep(graceMs, undefined, { signal: graceOver.signal }).then(
        () => false,
        () => true,
      ),
    ]);
    graceOver.abort();
    return left;
  }
}
