import type { Kafka, Producer, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { z } from 'zod';
import { kafkaConfigFrom, kafkaEnv, type KafkaConfig } from '../config/common.env.js';
import { KafkaProducerService, KafkaPublishError } from './kafka-producer.service.js';
import { partitionOfKey } from './murmur2-partitioner.js';

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
          send: async () => [],
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

/** The webhooks app's Kafka section with every default. */
const config: KafkaConfig = kafkaConfigFrom(z.object(kafkaEnv).parse({ Kafka__BrokerList: 'localhost:9092' }), 'webhooks');
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

describe('KafkaProducerService publishes', () => {
  /** kafkajs stand-in whose idempotent producers answer through `answer` (routing with the real partitioner over two partitions). */
  function answeringKafka(answer: (batch: ProducerBatch, producer: number) => Promise<RecordMetadata[]>) {
    const producers: { batches: ProducerBatch[]; disconnected: boolean }[] = [];
    const kafka = {
      producer: (options: ProducerConfig) => {
        const index = producers.push({ batches: [], disconnected: false }) - 1;
        const route = options.createPartitioner!();
        return {
          connect: async () => undefined,
          disconnect: async () => {
            producers[index]!.disconnected = true;
          },
          sendBatch: async (batch: ProducerBatch) => {
            for (const { topic, messages } of batch.topicMessages ?? [])
              for (const message of messages) route({ topic, message, partitionMetadata: TWO_PARTITIONS });
            producers[index]!.batches.push(batch);
            return answer(batch, index);
          },
        } as unknown as Producer;
      },
    } as unknown as Kafka;
    return { kafka, producers };
  }
  const TWO_PARTITIONS = [0, 1].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  const allAcknowledged = async (batch: ProducerBatch): Promise<RecordMetadata[]> =>
    (batch.topicMessages ?? []).flatMap(({ topic }) => [0, 1].map((partition) => ({ topicName: topic, partition, errorCode: 0 })));
  const keysPerRequest = (batches: ProducerBatch[]) =>
    batches.map((b) => (b.topicMessages ?? []).flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.key)}`)));

  it('keeps one request in flight and carries the publishes that waited meanwhile in the next one, in order', async () => {
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    let requests = 0;
    const { kafka, producers } = answeringKafka(async (batch) => {
      if (requests++ === 0) await firstHeld;
      return allAcknowledged(batch);
    });
    const service = new KafkaProducerService(kafka, config);
    const sent = [
      service.send('payments', [{ key: 'a', value: '{}' }]),
      service.send('payments', [{ key: 'b', value: '{}' }]),
      service.send('deadletter', [{ key: 'c', value: '{}' }]),
      service.send('payments', [{ key: 'd', value: '{}' }]),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    expect(keysPerRequest(producers[0]!.batches)).toEqual([['payments:a']]);
    release();
    await Promise.all(sent);
    expect(keysPerRequest(producers[0]!.batches)).toEqual([['payments:a'], ['payments:b', 'payments:d', 'deadletter:c']]);
  });

  it('fails every publish of a failed request and sends the next one through a new idempotent producer', async () => {
    const { kafka, producers } = answeringKafka(async (batch, producer) => {
      if (producer === 0) throw new Error('Request Produce(key: 0, version: 7) timed out');
      return allAcknowledged(batch);
    });
    const service = new KafkaProducerService(kafka, config);
    await expect(service.send('payments', [{ key: 'a', value: '{}' }])).rejects.toBeInstanceOf(KafkaPublishError);
    await expect(service.send('payments', [{ key: 'b', value: '{}' }])).resolves.toBeUndefined();
    expect(producers).toHaveLength(2);
    expect(producers[0]!.disconnected).toBe(true);
    expect(keysPerRequest(producers[1]!.batches)).toEqual([['payments:b']]);
  });

  it('fails only the publishes whose partitions the answer lacks, and replaces the producer', async () => {
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const lost = partitionOfKey('a', 2);
    const other = ['b', 'c', 'd', 'e', 'f'].find((k) => partitionOfKey(k, 2) !== lost)!;
    let requests = 0;
    const { kafka, producers } = answeringKafka(async (batch) => {
      if (requests++ === 0) await firstHeld;
      return (await allAcknowledged(batch)).filter((r) => r.topicName !== 'payments' || r.partition !== lost);
    });
    const service = new KafkaProducerService(kafka, config);
    const held = service.send('deadletter', [{ key: 'x', value: '{}' }]);
    const together = [service.send('payments', [{ key: 'a', value: '{}' }]), service.send('payments', [{ key: other, value: '{}' }])];
    release();
    await held;
    const results = await Promise.allSettled(together);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(keysPerRequest(producers[0]!.batches)).toEqual([['deadletter:x'], ['payments:a', `payments:${other}`]]);
    expect(producers[0]!.disconnected).toBe(true);
    await service.send('deadletter', [{ key: 'y', value: '{}' }]);
    expect(keysPerRequest(producers[1]!.batches)).toEqual([['deadletter:y']]);
  });
});
