import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';
import { KafkaProducerService, KafkaPublishError } from './kafka-producer.service.js';

/** kafkajs stand-in: records every producer's options; transactions whose abort fails (the broker is away). */
function fakeKafka() {
  const created: { options: ProducerConfig; disconnected: boolean }[] = [];
  const kafka = {
    producer: (options: ProducerConfig) => {
      const record = { options, disconnected: false };
      created.push(record);
      return {
        connect: async () => undefined,
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
  return { kafka, transactional: () => created.filter((c) => c.options.transactionalId !== undefined) };
}

describe('KafkaProducerService transactions', () => {
  it('recreates the transactional producer under the same transactional id after a failed transaction, so the broker aborts the orphan', async () => {
    const { kafka, transactional } = fakeKafka();
    const service = new KafkaProducerService(kafka, { clientId: 'webhooks' } as KafkaConfig);
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
    await new KafkaProducerService(a.kafka, { clientId: 'webhooks' } as KafkaConfig).inTransaction(async () => undefined);
    await new KafkaProducerService(b.kafka, { clientId: 'webhooks' } as KafkaConfig).inTransaction(async () => undefined);
    expect(a.transactional()[0]?.options.transactionalId).not.toBe(b.transactional()[0]?.options.transactionalId);
  });
});
