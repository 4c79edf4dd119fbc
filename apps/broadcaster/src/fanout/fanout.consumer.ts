import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Batch, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BROADCAST_COMPLETED,
  BROADCAST_FAILED,
  BROADCAST_REQUESTED,
  decodeBroadcastRecord,
} from '@app/shared/broadcast/broadcast-records.js';
import { BroadcastReport } from '@app/shared/broadcast/broadcast-report.js';
import { BroadcastStatusStore } from '@app/shared/broadcast/broadcast-status.store.js';
import { createDeadLetter, encodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import { encodeDeadLetterKey } from '@app/shared/codec/keys.js';
import { FailureType } from '@app/shared/codec/messages.js';
import { kafkaConfig, type KafkaConfig } from '@app/shared/config/common.env.js';
import { BatchConsumer } from '@app/shared/kafka/batch-consumer.js';
import { KAFKA_CLIENT } from '@app/shared/kafka/kafka.tokens.js';
import { tracedConsume } from '@app/shared/tracing/kafka-tracing.js';
import { fanoutConfig, type FanoutConfig } from '../config/broadcaster.config.js';
import { BroadcasterMetrics } from '../metrics/broadcaster-metrics.js';
import { BroadcastOrigins } from './broadcast-origins.js';
import { FanoutStep, type StepRecord, type StepResult } from './fanout-step.js';
import { ALREADY_COMMITTED, PartitionTransactions, type ConsumedPosition } from './partition-transactions.js';
import type { StepOutput } from './step-output.js';

const HEARTBEAT_SLICE_MS = 2000;

/** The broadcast is no longer this process's to work on (shutdown or rebalance): leave the record unprocessed. */
class Abandoned extends Error {}

/**
 * Consumes the broadcasts topic and moves each broadcast one step per record: a request or a page
 * record runs a FanoutStep whose SendSms, next record and consumed offset commit in one
 * transaction; a terminal record refreshes the status view. A failed step is retried with
 * backoff (heartbeats continue) until it commits or the partition goes elsewhere; records of one
 * partition are handled in order and never skipped.
 */
@Injectable()
export class FanoutConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FanoutConsumer.name);
  private readonly consumer: BatchConsumer;
  private readonly transactions: PartitionTransactions;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(kafkaConfig.KEY) private readonly kafkaOptions: KafkaConfig,
    @Inject(fanoutConfig.KEY) private readonly config: FanoutConfig,
    private readonly step: FanoutStep,
    private readonly origins: BroadcastOrigins,
    private readonly statuses: BroadcastStatusStore,
    private readonly report: BroadcastReport,
    private readonly metrics: BroadcasterMetrics,
  ) {
    this.transactions = new PartitionTransactions(kafka, config.groupId);
    this.consumer = new BatchConsumer({
      kafka,
      consumer: {
        groupId: config.groupId,
        fromBeginning: true,
        sessionTimeoutMs: config.sessionTimeoutMs,
        rebalanceTimeoutMs: config.sessionTimeoutMs,
        heartbeatIntervalMs: 3000,
        partitionConcurrency: config.partitionConcurrency,
        // A step's next record is read back as soon as it commits: short polls keep steps back to back.
        maxWaitTimeMs: 100,
      },
      shutdownGraceMs: config.stepMaxMs + 5000,
      logger: this.logger,
      eachBatch: (payload, stopping) => this.eachBatch(payload, stopping),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start([this.kafkaOptions.topics.broadcasts]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.transactions.closeAll();
  }

  private async eachBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload, stopping: AbortSignal): Promise<void> {
    for (const message of batch.messages) {
      if (stopping.aborted) return;
      try {
        // The step continues the trace its record names: CONFIRM's, then the previous step's.
        const traced = { topic: batch.topic, partition: batch.partition, offset: message.offset, headers: message.headers ?? {} };
        await tracedConsume(traced, this.config.groupId, () => this.handle(batch, message, heartbeat, stopping));
      } catch (err) {
        if (err instanceof Abandoned) return;
        throw err;
      }
      resolveOffset(message.offset);
      await heartbeat();
    }
  }

  /** A terminal record refreshes the view, which may have missed its last write (a crash right after the commit). */
  private async handle(batch: Batch, message: KafkaMessage, heartbeat: () => Promise<void>, stopping: AbortSignal): Promise<void> {
    const consumed: ConsumedPosition = { topic: batch.topic, partition: batch.partition, offset: message.offset };
    const decoded = decodeBroadcastRecord(message.value);
    if (!decoded.ok) {
      await this.untilCommitted(consumed, heartbeat, stopping, (output) => this.deadLetter(consumed, message, decoded.reason, output));
      return;
    }
    const record = decoded.record;
    if (record.type === BROADCAST_COMPLETED || record.type === BROADCAST_FAILED) {
      await this.untilCommitted(consumed, heartbeat, stopping, () => this.statuses.record(record));
      return;
    }
    if (record.type === BROADCAST_REQUESTED && !(await this.origins.isFirst(record.request.broadcastId, consumed))) {
      this.logger.warn({ msg: 'duplicate broadcast request dropped', broadcastId: record.request.broadcastId });
      await this.untilCommitted(consumed, heartbeat, stopping, async () => undefined);
      return;
    }
    const result = await this.untilCommitted(consumed, heartbeat, stopping, (output) => this.step.run(record, output));
    if (result === ALREADY_COMMITTED)
      this.logger.log({ msg: 'step already committed', broadcastId: record.request.broadcastId, ...consumed });
    else await this.afterCommit(record, result);
  }

  private async afterCommit(record: StepRecord, result: StepResult): Promise<void> {
    this.metrics.stepCommitted(result.produced, result.pages);
    if (record.type === BROADCAST_REQUESTED) this.metrics.started();
    await this.statuses.record(result.record).catch((err: unknown) => this.logger.warn({ msg: 'status view not updated', err }));
    if (result.kind !== 'ended') return;
    this.metrics.finished(result.record);
    await this.report
      .signalFinished(record.request.broadcastId)
      .catch((err: unknown) => this.logger.warn({ msg: 'finish not signalled', err }));
    this.logger.log({
      msg: `broadcast ${result.record.type === BROADCAST_COMPLETED ? 'completed' : 'failed'}`,
      broadcastId: record.request.broadcastId,
      clientId: record.request.clientId,
      sent: result.record.progress.sent,
      skipped: result.record.progress.skipped,
      pages: result.record.progress.pages,
      clientSms: result.clientSms,
    });
  }

  /** Runs the transaction until it commits: a failure waits (with heartbeats) and tries again. */
  private async untilCommitted<T>(
    consumed: ConsumedPosition,
    heartbeat: () => Promise<void>,
    stopping: AbortSignal,
    work: (output: StepOutput) => Promise<T>,
  ): Promise<T | typeof ALREADY_COMMITTED> {
    for (let attempt = 1; ; attempt += 1) {
      if (stopping.aborted) throw new Abandoned();
      try {
        return await this.transactions.run(consumed, work);
      } catch (err) {
        this.metrics.stepRetried();
        this.logger.warn({ msg: 'broadcast step failed; retrying', partition: consumed.partition, offset: consumed.offset, attempt, err });
        await this.wait(this.backoff(attempt), heartbeat, stopping);
      }
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.config.retryMaxMs, this.config.retryBaseMs * 2 ** Math.min(attempt - 1, 20));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Waits in slices, heartbeating, so the group keeps the partition; a rebalance error from heartbeat ends the wait. */
  private async wait(ms: number, heartbeat: () => Promise<void>, stopping: AbortSignal): Promise<void> {
    for (let left = ms; left > 0; left -= HEARTBEAT_SLICE_MS) {
      await sleep(Math.min(left, HEARTBEAT_SLICE_MS), undefined, { signal: stopping }).catch(() => undefined);
      if (stopping.aborted) throw new Abandoned();
      await heartbeat();
    }
  }

  private async deadLetter(consumed: ConsumedPosition, message: KafkaMessage, reason: string, output: StepOutput): Promise<void> {
    const { key, record } = createDeadLetter({
      source: 'broadcaster',
      reasonCode: 'poison.invalid-broadcast',
      reason,
      attempts: 1,
      failureType: FailureType.Permanent,
      topic: consumed.topic,
      original: { ...consumed, key: message.key, value: message.value, headers: message.headers },
      failedKeyType: 'Broadcast',
    });
    await output.send(this.kafkaOptions.topics.deadletter, [{ key: encodeDeadLetterKey(key), value: encodeDeadLetter(record) }]);
    this.metrics.deadLettered();
    this.logger.warn({ msg: 'unreadable broadcast record dead-lettered', partition: consumed.partition, offset: consumed.offset, reason });
  }
}
