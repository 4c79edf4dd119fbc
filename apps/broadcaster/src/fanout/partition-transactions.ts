import { Logger } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { OutgoingMessage } from '@app/shared/kafka/kafka-producer.service.js';
import { AcknowledgedPartitions } from '@app/shared/kafka/acknowledged-partitions.js';
import { tracedProduce } from '@app/shared/tracing/kafka-tracing.js';
import type { StepOutput } from './step-output.js';

/** The consumed record a transaction commits as processed, with everything it produced. */
export interface ConsumedPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** `run` found the record already processed: a transaction of an earlier owner (or of ours, whose answer was lost) committed it. */
export const ALREADY_COMMITTED = Symbol('ALREADY_COMMITTED');

interface PartitionProducer {
  producer: Producer;
  acknowledged: AcknowledgedPartitions;
  /**
   * The partition's committed offset: read from the group after this producer fenced its
   * predecessors, then moved on by each of its own commits.
   */
  committed: bigint;
}

/**
 * Kafka transactions the consume-transform-produce way, one transactional producer per input
 * partition. The transactional id is derived from the group, topic and partition, so whichever
 * process owns a partition next registers under the same id: the broker then fences the previous
 * owner (a process frozen or killed mid-step) and aborts the transaction it left open, and a
 * zombie can never commit a step twice. (kafkajs does not send the consumer-group generation
 * with the offsets, KIP-447, so the per-partition id is what makes fencing work.)
 *
 * Without KIP-447 a consumer can also read offsets that are about to move: the previous owner's
 * commit may still be completing when the new owner fetches its position, and a commit whose
 * answer was lost (the broker went away) may have happened. So each new producer, once its
 * registration has completed or aborted every earlier transaction of its id, reads the group's
 * committed offset, and records below it are answered ALREADY_COMMITTED instead of processed twice.
 * The producer then moves that offset on with each commit of its own, because the consumer can
 * be handed an older one: a commit's offsets reach the group only when the transaction's markers
 * are written, after commit() has returned (and later still when a marker's partition leader is
 * away), and a rebalance in between (the group coordinator moved) restarts the partition from
 * the group's offset, before the step this process has just committed (cluster C3 in CI: one
 * step's 324 SendSms written twice).
 */
export class PartitionTransactions {
  private readonly logger = new Logger(PartitionTransactions.name);
  private readonly producers = new Map<number, Promise<PartitionProducer>>();
  private admin?: Promise<Admin>;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly transactionTimeoutMs = 60_000,
  ) {}

  /**
   * Runs `work` in a transaction of `consumed.partition`'s producer, then commits it together
   * with `consumed`'s next offset. Any failure aborts everything (the producer is replaced) and
   * is rethrown: the record stays unprocessed.
   */
  async run<T>(consumed: ConsumedPosition, work: (output: StepOutput) => Promise<T>): Promise<T | typeof ALREADY_COMMITTED> {
    const partitionProducer = await this.producerFor(consumed);
    const { producer, acknowledged } = partitionProducer;
    const next = BigInt(consumed.offset) + 1n;
    if (next <= partitionProducer.committed) return ALREADY_COMMITTED;
    let transaction;
    try {
      transaction = await producer.transaction();
    } catch (err) {
      await this.discard(consumed.partition);
      throw err;
    }
    try {
      const result = await work({
        send: (topic: string, messages: OutgoingMessage[]) =>
          tracedProduce(topic, messages, async (traced) => {
            // A partition missing from the answer, or listed twice, aborts the step: its records may be lost or doubled.
            acknowledged.checkWrittenOnce(topic, traced, await transaction.send({ topic, acks: -1, messages: traced }));
          }),
      });
      await transaction.sendOffsets({
        consumerGroupId: this.groupId,
        topics: [{ topic: consumed.topic, partitions: [{ partition: consumed.partition, offset: String(next) }] }],
      });
      await transaction.commit();
      partitionProducer.committed = next;
      return result;
    } catch (err) {
      await transaction.abort().catch((abortError: unknown) => {
        this.logger.warn({ msg: 'transaction abort failed; the next owner of the partition aborts it', err: abortError });
      });
      await this.discard(consumed.partition);
      throw err;
    }
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.producers.keys()];
    await Promise.all(all.map((partition) => this.discard(partition)));
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private producerFor(consumed: ConsumedPosition): Promise<PartitionProducer> {
    if (this.closed) return Promise.reject(new Error('the broadcaster is stopping'));
    let entry = this.producers.get(consumed.partition);
    if (!entry) {
      entry = this.register(consumed);
      this.producers.set(consumed.partition, entry);
      entry.catch(() => this.producers.delete(consumed.partition));
    }
    return entry;
  }

  private async register(consumed: ConsumedPosition): Promise<PartitionProducer> {
    const acknowledged = new AcknowledgedPartitions();
    const producer = await this.connect(`${this.groupId}-${consumed.topic}-${consumed.partition}`, acknowledged);
    try {
      return { producer, acknowledged, committed: await this.committedOffset(consumed) };
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private async committedOffset(consumed: ConsumedPosition): Promise<bigint> {
    this.admin ??= this.connectAdmin();
    const [topic] = await (await this.admin).fetchOffsets({ groupId: this.groupId, topics: [consumed.topic] });
    const offset = topic?.partitions.find((p) => p.partition === consumed.partition)?.offset ?? '-1';
    return BigInt(offset);
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return admin;
    } catch (err) {
      this.admin = undefined;
      throw err;
    }
  }

  private async connect(transactionalId: string, acknowledged: AcknowledgedPartitions): Promise<Producer> {
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.transactionTimeoutMs,
      createPartitioner: acknowledged.partitioner,
    });
    await producer.connect();
    return producer;
  }

  private async discard(partition: number): Promise<void> {
    const entry = this.producers.get(partition);
    this.producers.delete(partition);
    await entry?.then((e) => e.producer.disconnect()).catch(() => undefined);
  }
}
