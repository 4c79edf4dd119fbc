import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import type { KafkaConfig } from '@app/shared/config/common.env.js';
import { createKafkaClient } from '@app/shared/kafka/kafka-client.factory.js';
import { KafkaProducerService } from '@app/shared/kafka/kafka-producer.service.js';
import { ensureTopics } from '@app/shared/kafka/kafka-topics.initializer.js';
import { stackEnv, uniqueName } from '../../support/stack.js';

// The real broker of the local stack (or KAFKA_SMOKE_BROKERS, to try another Kafka version).
const brokers = (process.env.KAFKA_SMOKE_BROKERS ?? stackEnv().Kafka__BrokerList).split(',');

function config(topic: string): KafkaConfig {
  return {
    brokers,
    clientId: uniqueName('plumbing'),
    createTopics: true,
    partitions: 3,
    replicationFactor: 1,
    topics: {
      notifications: topic,
      payments: `${topic}-p`,
      foreignProducts: `${topic}-f`,
      deadletter: `${topic}-d`,
      broadcasts: `${topic}-b`,
    },
  };
}

/** Reads `topic` from the beginning with read_committed isolation until `count` messages arrived. */
async function readCommitted(topic: string, count: number, until: () => Promise<void>): Promise<KafkaMessage[]> {
  const kafka = new Kafka({ clientId: 'reader', brokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message);
      if (seen.length >= count) resolveAll();
    },
  });
  try {
    await until();
    await all;
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

describe('Kafka plumbing against the real broker', () => {
  let producer: KafkaProducerService;
  let cfg: KafkaConfig;

  beforeAll(async () => {
    cfg = config(uniqueName('plumbing'));
    const kafka = createKafkaClient(cfg);
    await ensureTopics(kafka, cfg, [cfg.topics.notifications]);
    producer = new KafkaProducerService(kafka, cfg);
    await producer.onModuleInit();
  });

  afterAll(async () => {
    await producer.onApplicationShutdown();
  });

  it('publishes with the idempotent producer and reads back key, value and headers', async () => {
    const topic = cfg.topics.notifications;
    const messages = await readCommitted(topic, 1, () =>
      producer.send(topic, [{ key: '{"eventType":"SendSms"}', value: '{"$type":"notification.sendSms"}', headers: { traceparent: 't1' } }]),
    );
    expect(messages[0].key?.toString()).toBe('{"eventType":"SendSms"}');
    expect(messages[0].value?.toString()).toBe('{"$type":"notification.sendSms"}');
    expect(messages[0].headers?.traceparent?.toString()).toBe('t1');
  });

  it('makes a transaction visible to read_committed readers only when it commits', async () => {
    const topic = uniqueName('tx');
    await ensureTopics(createKafkaClient(cfg), cfg, [topic]);
    const aborted = producer.inTransaction(async (batch) => {
      await batch.send(topic, [
        { key: null, value: 'aborted-1' },
        { key: null, value: 'aborted-2' },
      ]);
      throw new Error('broadcast failed half-way');
    });
    await expect(aborted).rejects.toThrow('broadcast failed half-way');
    const messages = await readCommitted(topic, 2, async () => {
      await producer.inTransaction(async (batch) =>
        batch.send(topic, [
          { key: null, value: 'committed-1' },
          { key: null, value: 'committed-2' },
        ]),
      );
    });
    expect(messages.map((m) => m.value?.toString()).sort()).toEqual(['committed-1', 'committed-2']);
  });
});
