// Reads what the service produced back from the real broker, with a plain kafkajs consumer.
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { stackEnv, uniqueName } from '../stack.js';

export interface ReadMessage {
  topic: string;
  key: string | null;
  value: string | null;
}

export class KafkaReader {
  private readonly seen: ReadMessage[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
  ) {}

  /** Subscribes to `topics` (which must exist) from the beginning and collects every message. */
  static async start(topics: string[]): Promise<KafkaReader> {
    const kafka = new Kafka({
      clientId: uniqueName('stripe-reader'),
      brokers: stackEnv().Kafka__BrokerList.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: uniqueName('stripe-reader'), maxWaitTimeInMs: 50 });
    const admin = kafka.admin();
    const reader = new KafkaReader(consumer, admin);
    await Promise.all([consumer.connect(), admin.connect()]);
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        reader.seen.push({ topic, key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? null });
      },
    });
    return reader;
  }

  /** Messages of `topic` read so far that match `predicate`. */
  read(topic: string, predicate: (m: ReadMessage) => boolean = () => true): ReadMessage[] {
    return this.seen.filter((m) => m.topic === topic && predicate(m));
  }

  /** Waits (polling, with a deadline) until `count` matching messages of `topic` have been read. */
  async waitFor(topic: string, predicate: (m: ReadMessage) => boolean, count = 1, timeoutMs = 10_000): Promise<ReadMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.read(topic, predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`expected ${count} matching message(s) on ${topic}, read ${found.length}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * How many messages `topic` holds (sum of the partitions' high watermarks). The service publishes
   * with acks=all before it answers, so this is exact right after a response.
   */
  async count(topic: string): Promise<number> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
  }
}
