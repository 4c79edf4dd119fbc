import { Kafka, logLevel, type IHeaders, type KafkaMessage } from 'kafkajs';
import { until } from './events.js';

export interface RawMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: IHeaders;
  partition?: number;
  /** CreateTime, epoch ms as a string (a producer may set any). */
  timestamp?: string;
}

/** A plain kafkajs client, as a C# or any other producer on the contract would write. */
export function plainKafka(brokers: string): Kafka {
  return new Kafka({ clientId: 'notifier-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Gives every message without a CreateTime the time of this call, as librdkafka-based producers
 * (the C# services) stamp a message when it is produced. kafkajs otherwise stamps it each time it
 * encodes a request (produce/v3/request.js), and a non-idempotent kafkajs send resends every
 * partition of a broker when one of them failed (producer/sendMessages.js): the partitions that
 * were written are then written again with a new CreateTime, as events of their own.
 */
export function withCreateTime<T extends RawMessage>(messages: T[]): T[] {
  const now = String(Date.now());
  return messages.map((m) => (m.timestamp === undefined ? { ...m, timestamp: now } : m));
}

/**
 * Writes `messages` once each. Idempotent, because a plain kafkajs producer writes the partitions
 * that succeeded again when another partition of the same broker failed (see withCreateTime); a
 * C# producer does not, and tests that count records or outcomes must not see kafkajs' copies.
 */
export async function produce(kafka: Kafka, topic: string, messages: RawMessage[], chunk = 500): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: withCreateTime(messages.slice(i, i + chunk)) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Collects every record of `topic` from the beginning (read_committed), until `stop()`. */
export async function collect(
  kafka: Kafka,
  topic: string,
): Promise<{ messages: KafkaMessage[]; waitFor(count: number, timeoutMs: number): Promise<KafkaMessage[]>; stop(): Promise<void> }> {
  const consumer = kafka.consumer({
    groupId: `collector-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    maxWaitTimeInMs: 200,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  return {
    messages,
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline)
          throw new Error(`only ${messages.length} of ${count} records arrived on ${topic} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    stop: () => consumer.disconnect(),
  };
}

/** Committed offsets of a group on a topic, summed over partitions (-1 = none counts as 0). */
export async function committedTotal(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until `groupId` has committed every partition of `topic` up to its end: each message is
 * settled, none is in flight, none will be read again. The point after which a late duplicate
 * can no longer appear.
 */
export async function untilAllCommitted(kafka: Kafka, groupId: string, topic: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let behind: string[] = [];
    const committedToEnd = until(
      async () => {
        const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
        // -1: nothing committed yet, which is the end of an empty partition.
        const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
        behind = ends
          .filter((end) => (at.get(end.partition) ?? 0) < Number(end.high))
          .map((end) => `p${end.partition} ${at.get(end.partition)}/${end.high}`);
        return behind.length === 0;
      },
      timeoutMs,
      `${groupId} to commit ${topic} to its end`,
    );
    await committedToEnd.catch((err: Error) => {
      throw new Error(`${err.message}; behind (committed/end): ${behind.join(', ')}`);
    });
  } finally {
    await admin.disconnect();
  }
}
