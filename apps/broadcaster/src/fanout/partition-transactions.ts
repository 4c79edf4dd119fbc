import { Logger } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { OutgoingMessage } from '@app/shared/kafka/kafka-producer.service.js';
import { Murmur2Partitioner } from '@app/shared/kafka/murmur2-partitioner.js';
import type { StepOutput } from './step-output.js';

/** The consumed record a transaction commits as processed, with everything it produced. */
export interface ConsumedPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Kafka transactions the consume-transform-produce way, one transactional producer per input
 * partition. The transactional id is derived from the group, topic and partition, so whichever
 * process owns a partition next registers under the same id: the broker then fences the previous
 * owner (a process frozen or killed mid-step) and aborts the transaction it left open, and a
 * zombie can never commit a step twice. (kafkajs does not send the consumer-group generation
 * with the offsets, KIP-447, so the per-partition id is what makes fencing work.)
 */
export class PartitionTransactions {
  private readonly logger = new Logger(PartitionTransactions.name);
  private readonly producers = new Map<number, Promise<Producer>>();

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
  async run<T>(consumed: ConsumedPosition, work: (output: StepOutput) => Promise<T>): Promise<T> {
    const producer = await this.producerFor(consumed);
    let transaction;
    try {
      transaction = await producer.transaction();
    } catch (err) {
      await this.discard(consumed.partition);
      throw err;
    }
    try {
      const result = await work({
        send: async (topic: string, messages: OutgoingMessage[]) => {
          await transaction.send({ topic, acks: -1, messages });
        },
      });
      await transaction.sendOffsets({
        consumerGroupId: this.groupId,
        topics: [{ topic: consumed.topic, partitions: [{ partition: consumed.partition, offset: String(BigInt(consumed.offset) + 1n) }] }],
      });
      await transaction.commit();
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
    const all = [...this.producers.keys()];
    await Promise.all(all.map((partition) => this.discard(partition)));
  }

  private producerFor(consumed: ConsumedPosition): Promise<Producer> {
    let producer = this.producers.get(consumed.partition);
    if (!producer) {
      producer = this.connect(`${this.groupId}-${consumed.topic}-${consumed.partition}`);
      this.producers.set(consumed.partition, producer);
      producer.catch(() => this.producers.delete(consumed.partition));
    }
    return producer;
  }

  private async connect(transactionalId: string): Promise<Producer> {
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.transactionTimeoutMs,
      createPartitioner: Murmur2Partitioner,
    });
    await producer.connect();
    return producer;
  }

  private async discard(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}
