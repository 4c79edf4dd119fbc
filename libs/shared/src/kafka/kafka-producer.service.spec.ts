import type { Kafka, Producer, ProducerBatch, ProducerConfig } from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';
import { KafkaProducerService, KafkaPublishError } from './kafka-producer.service.js';

/** kafkajs stand-in: records every producer's options; transactions whose abort fails (the broker is away). */
function fakeKafka() {
  const created: { options: ProducerConfig; disconnected: boolean; batches: ProducerBatch[] }[] = [];
  const kafka = {
    producer: (options: ProducerConfig) => {
      const record = { options, disconnected: false, batches: [] as ProducerBatch[] };
      created.push(record);
      return {
        connect: async () => undefined,
        sendBatch: async (batch: ProducerBatch) => {
          record.batches.push(batch);
          return [];
        },
        disconnect: async () => {
          record.disconnected = true;
        },
        transaction: async () => ({
          send: async () => undefined,
          commit: async () => undefined,
          abort: async () => {
            throw new Error('Connection error: connect ECONNREFUSED');
          },
        }),
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return {
    kafka,
    idempotent: () => created.filter((c) => c.options.transactionalId === undefined),
    transactional: () => created.filter((c) => c.options.transactionalId !== undefined),
  };
}

const config = {
  clientId: 'webhooks',
  topics: {
    notifications: 'notifications',
    payments: 'payments',
    foreignProducts: 'foreign-products',
    deadletter: 'deadletter',
    broadcasts: 'broadcasts',
  },
} as KafkaConfig;
const CONTRACT_TOPICS = ['notifications', 'payments', 'foreign-products', 'deadletter', 'broadcasts'];

describe('KafkaProducerService transactions', () => {
  it('recreates the transactional producer under the same transactional id after a failed transaction, so the broker aborts the orphan', async () => {
    const { kafka, transactional } = fakeKafka();
    const service = new KafkaProducerService(kafka, config);
    const failing = service.inTransaction(async (batch) => {
      await batch.send('notifications', [{ key: null, value: '{}' }]);
      throw new Error('the broker went away mid-broadcast');
    });
    await expect(failing).rejects.toBeInstanceOf(KafkaPublishError);
    await expect(
      service.inTransaction(async (batch) => batch.send('notifications', [{ key: null, value: '{}' }])),
    ).resolves.toBeUndefined();

    const [first, second] = transactional();
    expect(transactional()).toHaveLength(2);
    expect(first?.disconnected).toBe(true);
    expect(first?.options.transactionalId).toMatch(/^webhooks-/);
    expect(second?.options.transactionalId).toBe(first?.options.transactionalId);
  });

  it('gives each service instance (each process) its own transactional id', async () => {
    const a = fakeKafka();
    const b = fakeKafka();
    await new KafkaProducerService(a.kafka, config).inTransaction(async () => undefined);
    await new KafkaProducerService(b.kafka, config).inTransaction(async () => undefined);
    expect(a.transactional()[0]?.options.transactionalId).not.toBe(b.transactional()[0]?.options.transactionalId);
  });
});

describe('KafkaProducerService metadata', () => {
  const emptySendsTo = (batches: ProducerBatch[]) =>
    batches.map((b) => b.topicMessages?.map((t) => ({ topic: t.topic, messages: t.messages.length })));

  it('registers the contract topics on both producers with a send of no messages, so kafkajs caches only theirs', async () => {
    const { kafka, idempotent, transactional } = fakeKafka();
    const service = new KafkaProducerService(kafka, config);
    await service.onModuleInit();
    await service.onApplicationBootstrap();
    await service.inTransaction(async () => undefined);
    const expected = [CONTRACT_TOPICS.map((topic) => ({ topic, messages: 0 }))];
    expect(emptySendsTo(idempotent()[0]!.batches)).toEqual(expected);
    expect(emptySendsTo(transactional()[0]!.batches)).toEqual(expected);
  });
});
