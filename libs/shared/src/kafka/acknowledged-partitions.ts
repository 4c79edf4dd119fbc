import type { ICustomPartitioner, RecordMetadata } from 'kafkajs';
import { Murmur2Partitioner, partitionOfKey } from './murmur2-partitioner.js';

/** Kafka acknowledged a send without some of the partitions its messages went to: those messages may be lost. */
export class UnacknowledgedPartitionsError extends Error {
  constructor(
    readonly topic: string,
    readonly partitions: number[],
  ) {
    super(`Kafka did not acknowledge partitions ${partitions.join(', ')} of ${topic}`);
    this.name = 'UnacknowledgedPartitionsError';
  }
}

/** Kafka acknowledged some partitions of one send twice: their records were written twice. */
export class RepeatedPartitionsError extends Error {
  constructor(
    readonly topic: string,
    readonly partitions: number[],
  ) {
    super(`Kafka acknowledged partitions ${partitions.join(', ')} of ${topic} twice: their records were written twice`);
    this.name = 'RepeatedPartitionsError';
  }
}

interface KeyedMessage {
  key?: Buffer | string | null;
  partition?: number;
}

/**
 * Checks that a send was acknowledged for every partition its messages went to. kafkajs 2.2.4
 * resolves a send as complete when a broker that led some of its partitions failed and those
 * partitions moved to brokers that had already answered: the retry skips them, their records are
 * never written, and the result simply does not list them (reproduced on the 3-node cluster:
 * test/support/cluster/frozen-leader-send.repro.mjs). The producer's partitioner (the Murmur2 one,
 * wrapped) remembers each topic's partition count, so the partitions a keyed message went to can
 * be computed after the send and compared with the result.
 */
export class AcknowledgedPartitions {
  private readonly partitionCounts = new Map<string, number>();

  readonly partitioner: ICustomPartitioner = () => {
    const route = Murmur2Partitioner();
    return (args) => {
      this.partitionCounts.set(args.topic, args.partitionMetadata.length);
      return route(args);
    };
  };

  /** @throws UnacknowledgedPartitionsError when a partition the messages went to is missing from `acknowledged`. */
  check(topic: string, messages: readonly KeyedMessage[], acknowledged: readonly RecordMetadata[]): void {
    const missing = this.missing(topic, messages, acknowledged);
    if (missing.length > 0) throw new UnacknowledgedPartitionsError(topic, missing);
  }

  /**
   * `check`, and also that no partition was written twice, for sends inside a transaction, which an
   * error aborts. kafkajs 2.2.4 retries a send per broker, not per partition: when a partition that
   * a broker had already written moves to a broker that has not answered yet (a leader election
   * during the send), the retry sends its records again with the next sequence numbers, the new
   * leader appends them as new, and the result lists the partition twice (seen in the cluster
   * suite's controller failover: one broker's share of a produce chunk committed twice).
   * @throws UnacknowledgedPartitionsError or RepeatedPartitionsError
   */
  checkWrittenOnce(topic: string, messages: readonly KeyedMessage[], acknowledged: readonly RecordMetadata[]): void {
    this.check(topic, messages, acknowledged);
    const repeated = repeatedPartitions(topic, acknowledged);
    if (repeated.length > 0) throw new RepeatedPartitionsError(topic, repeated);
  }

  /** The partitions `messages` went to that `acknowledged` does not list, in order. */
  missing(topic: string, messages: readonly KeyedMessage[], acknowledged: readonly RecordMetadata[]): number[] {
    const count = this.partitionCounts.get(topic);
    if (count === undefined || messages.length === 0) return [];
    const expected = new Set<number>();
    for (const m of messages) {
      if (m.partition !== undefined && m.partition !== null) expected.add(m.partition);
      else if (m.key !== undefined && m.key !== null) expected.add(partitionOfKey(m.key, count));
    }
    for (const record of acknowledged) if (record.topicName === topic) expected.delete(record.partition);
    return [...expected].sort((a, b) => a - b);
  }
}

/** The partitions of `topic` that `acknowledged` lists more than once, in order. */
export function repeatedPartitions(topic: string, acknowledged: readonly RecordMetadata[]): number[] {
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const record of acknowledged) {
    if (record.topicName !== topic) continue;
    if (seen.has(record.partition)) repeated.add(record.partition);
    seen.add(record.partition);
  }
  return [...repeated].sort((a, b) => a - b);
}
