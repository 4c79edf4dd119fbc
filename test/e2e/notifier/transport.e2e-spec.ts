// KafkaBatchServer as a Nest microservice against the real broker, with test handlers: a handler
// that throws does not block its partition, offsets are committed only up to the highest
// contiguous settled message, and concurrency stays within its bounds.
import { jest } from '@jest/globals';
import { Controller, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { ConsumerConfig } from '../../../apps/notifier/src/config/notifier.config.js';
import { KafkaBatchContext, KafkaBatchServer } from '../../../apps/notifier/src/transport/kafka-batch.server.js';
import type { InboundMessage } from '../../../apps/notifier/src/transport/inbound-message.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { until } from '../../support/notifier/events.js';
import { committedTotal, createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';

jest.setTimeout(60_000);

const seen: InboundMessage[] = [];
let running = 0;
let maxRunning = 0;
let holdUnsettled = true;

@Controller()
class TestController {
  @EventPattern<string>('notifications')
  async handle(@Payload() message: InboundMessage, @Ctx() context: KafkaBatchContext) {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      await new Promise((r) => setTimeout(r, 20));
      const value = message.value?.toString() ?? '';
      if (value === 'boom') throw new Error('handler bug');
      if (value === 'later' && holdUnsettled) return { settled: false };
      expect(context.getSignal().aborted).toBe(false);
      seen.push(message);
      return { settled: true };
    } finally {
      running -= 1;
    }
  }
}

describe('KafkaBatchServer (Nest custom transport on kafkajs eachBatch)', () => {
  const topic = uniqueName('transport');
  const groupId = uniqueName('transport-group');
  let kafka: Kafka;
  let app: INestMicroservice;
  let server: KafkaBatchServer;
  const failures: { message: InboundMessage; error: unknown }[] = [];

  async function start(consumer: Partial<ConsumerConfig> = {}) {
    const module = await Test.createTestingModule({ controllers: [TestController] }).compile();
    server = new KafkaBatchServer({
      kafka,
      consumer: {
        groupId,
        fromBeginning: true,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        heartbeatIntervalMs: 1000,
        partitionConcurrency: 2,
        messageConcurrency: 3,
        commitIntervalMs: 100,
        ...consumer,
      },
      resolveTopic: (pattern) => (pattern === 'notifications' ? topic : pattern),
      shutdownGraceMs: 5000,
      onHandlerError: async (message, error) => void failures.push({ message, error }),
    });
    app = module.createNestMicroservice<MicroserviceOptions>({ strategy: server, logger: new Logger() });
    app.useLogger(false);
    await app.listen();
  }

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 2);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('settles every message, hands a throwing handler’s message to onHandlerError, and bounds concurrency', async () => {
    await start();
    const values = ['a1', 'boom', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    await produce(
      kafka,
      topic,
      values.map((value) => ({ value, partition: 0, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } })),
    );
    await until(() => seen.length === 7 && failures.length === 1, 20_000, 'all messages handled');
    await until(async () => (await committedTotal(kafka, groupId, topic)) === 8, 10_000, 'offsets committed to the end');
    expect(failures[0]!.message.value?.toString()).toBe('boom');
    expect(failures[0]!.message.offset).toBe('1');
    expect(seen[0]!.correlationId).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(maxRunning).toBeLessThanOrEqual(2 * 3);
    expect(maxRunning).toBeGreaterThan(1);
  });

  it('reads committed data only: an aborted transaction never reaches a handler', async () => {
    const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ value: 'aborted', partition: 0 }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ value: 'committed', partition: 0 }] });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }
    await until(() => seen.some((m) => m.value?.toString() === 'committed'), 20_000, 'the committed message');
    expect(seen.some((m) => m.value?.toString() === 'aborted')).toBe(false);
    // The transaction markers count as offsets too: everything up to the last marker is committed.
    await until(async () => (await committedTotal(kafka, groupId, topic)) === 8 + 4, 10_000, 'offsets past the transaction markers');
  });

  it('commits only up to the highest contiguous settled offset, and redelivers the rest', async () => {
    await produce(
      kafka,
      topic,
      ['b1', 'later', 'b2', 'b3'].map((value) => ({ value, partition: 1 })),
    );
    // Distinct values, not a count: kafkajs fetches again from the last resolved offset, so until
    // the restart this consumer keeps reading 'later', b2 and b3 (the ledger skips such re-reads).
    const settledOnPartition1 = () => new Set(seen.filter((m) => m.partition === 1).map((m) => m.value?.toString()));
    await until(() => ['b1', 'b2', 'b3'].every((v) => settledOnPartition1().has(v)), 20_000, 'the settled messages of partition 1');
    // Partition 0 is at 12; partition 1 stops before 'later' (offset 1), and the restart below
    // proves it went no further: 'later' is read again.
    await until(
      async () => (await committedTotal(kafka, groupId, topic)) === 12 + 1,
      10_000,
      'partition 1 committed up to the unsettled message',
    );
    await app.close();

    holdUnsettled = false;
    seen.length = 0;
    await start();
    await until(() => seen.some((m) => m.value?.toString() === 'later'), 20_000, 'the unsettled message to be read again');
    await until(async () => (await committedTotal(kafka, groupId, topic)) === 12 + 4, 10_000, 'partition 1 committed to the end');
  });
});
