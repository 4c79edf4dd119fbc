// kafkajs 2.2.4's own send routine (src/producer/sendMessages.js, with patches/kafkajs+2.2.4.patch
// applied) driven with a stand-in cluster, to pin down the behaviour AcknowledgedPartitions guards
// against: the retry of a send is per broker, so a partition can be skipped (C3) or written twice
// (C2) when leaders move mid-send. The last case is the one the patch fixes: unpatched, a retry
// started while another broker was still answering, wrote that broker's partitions a second time
// and kept one of the two answers (cluster C2, seen in Kafka's log as two batches of one transaction).
import { createRequire } from 'node:module';
import type { RecordMetadata } from 'kafkajs';
import { AcknowledgedPartitions, RepeatedPartitionsError } from './acknowledged-partitions.js';
import { Murmur2Partitioner } from './murmur2-partitioner.js';

const require = createRequire(import.meta.url);
type SendMessages = (args: {
  acks: number;
  timeout?: number;
  topicMessages: { topic: string; messages: { key: string; value: string }[] }[];
}) => Promise<RecordMetadata[]>;
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (deps: unknown) => SendMessages;
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => unknown;
const { KafkaJSProtocolError } = require('kafkajs/src/errors.js') as { KafkaJSProtocolError: new (e: unknown) => Error };
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => unknown };

const NOT_LEADER_FOR_PARTITION = 6;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Written {
  broker: string;
  partition: number;
  firstSequence: number;
  count: number;
}

/**
 * Two brokers. A leads partitions 0-2, B leads 3-5. B's first produce fails with
 * NOT_LEADER_FOR_PARTITION, and the metadata kafkajs then reads has moved partition 1 from A to B:
 * a leader election while the send was under way.
 */
function movingCluster() {
  const written: Written[] = [];
  const leaders: Record<number, string> = { 0: 'A', 1: 'A', 2: 'A', 3: 'B', 4: 'B', 5: 'B' };
  let bFailures = 1;
  const broker = (name: string) => ({
    nodeId: name,
    produce: async ({
      topicData,
    }: {
      topicData: { topic: string; partitions: { partition: number; firstSequence: number; messages: unknown[] }[] }[];
    }) => {
      if (name === 'B' && bFailures-- > 0) throw new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER_FOR_PARTITION));
      const partitions = topicData[0]!.partitions;
      for (const p of partitions)
        written.push({ broker: name, partition: p.partition, firstSequence: p.firstSequence, count: p.messages.length });
      return {
        topics: [{ topicName: 't', partitions: partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) }],
      };
    },
  });
  const brokers: Record<string, ReturnType<typeof broker>> = { A: broker('A'), B: broker('B') };
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => {
      leaders[1] = 'B';
    },
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    findTopicPartitionMetadata: () => [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId, leader: leaders[partitionId] })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) =>
      partitions.reduce<Record<string, number[]>>((byLeader, p) => {
        (byLeader[leaders[Number(p)]!] ??= []).push(Number(p));
        return byLeader;
      }, {}),
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers[nodeId],
  };
  const sequences = new Map<number, number>();
  const eosManager = {
    acquireBrokerLock: async () => undefined,
    releaseBrokerLock: async () => undefined,
    isTransactional: () => false,
    getSequence: (_topic: string, partition: number) => sequences.get(partition) ?? 0,
    updateSequence: (_topic: string, partition: number, delta: number) => sequences.set(partition, (sequences.get(partition) ?? 0) + delta),
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getTransactionalId: () => undefined,
  };
  return { written, cluster, eosManager };
}

describe('kafkajs 2.2.4 sending while a partition moves to a broker that has not answered', () => {
  it('writes that partition twice, with new sequence numbers, and lists it twice in the answer', async () => {
    const acknowledged = new AcknowledgedPartitions();
    const { written, cluster, eosManager } = movingCluster();
    const send = createSendMessages({
      logger: silent,
      cluster,
      partitioner: acknowledged.partitioner(),
      eosManager,
      retrier: createRetry({ retries: 2, initialRetryTime: 1, maxRetryTime: 5 }),
    });
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `recipient-${i}`, value: 'SendSms' }));

    const answer = await send({ acks: -1, topicMessages: [{ topic: 't', messages }] });

    const partitionOne = written.filter((w) => w.partition === 1);
    expect(partitionOne.map((w) => w.broker)).toEqual(['A', 'B']);
    expect(partitionOne[1]!.firstSequence).toBe(partitionOne[0]!.firstSequence + partitionOne[0]!.count);
    expect(answer.filter((r) => r.partition === 1)).toHaveLength(2);
    expect(() => acknowledged.check('t', messages, answer)).not.toThrow();
    expect(() => acknowledged.checkWrittenOnce('t', messages, answer)).toThrow(RepeatedPartitionsError);
  });
});

/**
 * One broker leads partitions 0-5. Its first answer carries NOT_LEADER_FOR_PARTITION for
 * partition 5 alone, after partitions 0-4 were written (a broker writes per partition).
 */
function partlyFailingBroker() {
  const written: { partition: number; count: number }[] = [];
  let failures = 1;
  const broker = {
    nodeId: 'A',
    produce: async ({ topicData }: { topicData: { partitions: { partition: number; messages: unknown[] }[] }[] }) => {
      const partitions = topicData[0]!.partitions;
      const failing = failures-- > 0 ? 5 : -1;
      for (const p of partitions) if (p.partition !== failing) written.push({ partition: p.partition, count: p.messages.length });
      // kafkajs' produce response parser throws on the first partition error: the whole answer is lost.
      if (failing >= 0) throw new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER_FOR_PARTITION));
      return {
        topics: [{ topicName: 't', partitions: partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) }],
      };
    },
  };
  const partitionIds = [0, 1, 2, 3, 4, 5];
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => undefined,
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    findTopicPartitionMetadata: () => partitionIds.map((partitionId) => ({ partitionId, leader: 'A' })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) => ({ A: partitions.map(Number) }),
    findBroker: async () => broker,
  };
  // A producer without idempotence: no producer id, every batch numbered 0, so the broker cannot tell a resend.
  const eosManager = {
    acquireBrokerLock: async () => undefined,
    releaseBrokerLock: async () => undefined,
    isTransactional: () => false,
    getSequence: () => 0,
    updateSequence: () => undefined,
    getProducerId: () => -1,
    getProducerEpoch: () => 0,
    getTransactionalId: () => undefined,
  };
  return { written, cluster, eosManager };
}

describe('kafkajs 2.2.4 plain send when one partition of a broker fails', () => {
  it('sends every partition of that broker again, so the ones already written are written twice', async () => {
    const { written, cluster, eosManager } = partlyFailingBroker();
    const send = createSendMessages({
      logger: silent,
      cluster,
      partitioner: Murmur2Partitioner(),
      eosManager,
      retrier: createRetry({ retries: 2, initialRetryTime: 1, maxRetryTime: 5 }),
    });
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `recipient-${i}`, value: 'SendSms' }));

    await send({ acks: -1, topicMessages: [{ topic: 't', messages }] });

    const writesPerPartition = [0, 1, 2, 3, 4, 5].map((p) => written.filter((w) => w.partition === p).length);
    expect(writesPerPartition).toEqual([2, 2, 2, 2, 2, 1]);
    expect(written.reduce((sum, w) => sum + w.count, 0)).toBeGreaterThan(messages.length);
  });
});

/**
 * Two brokers, as in the controller kill of cluster C2: A leads partitions 0-2 and takes 20 ms to
 * answer (a leader waiting for its followers); B leads 3-5 and fails its first request at once.
 * Requests to one broker go one after the other, as kafkajs' broker lock makes them.
 */
function slowAndFailingBrokers() {
  const written: Written[] = [];
  let bFailures = 1;
  const locks = new Map<string, Promise<void>>();
  const unlocks = new Map<string, () => void>();
  const broker = (name: string) => ({
    nodeId: name,
    produce: async ({
      topicData,
    }: {
      topicData: { partitions: { partition: number; firstSequence: number; messages: unknown[] }[] }[];
    }) => {
      if (name === 'B' && bFailures-- > 0) throw new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER_FOR_PARTITION));
      const partitions = topicData[0]!.partitions;
      for (const p of partitions)
        written.push({ broker: name, partition: p.partition, firstSequence: p.firstSequence, count: p.messages.length });
      if (name === 'A') await new Promise((resolve) => setTimeout(resolve, 20)); // the leader's latency, not a synchronisation
      return {
        topics: [{ topicName: 't', partitions: partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) }],
      };
    },
  });
  const brokers: Record<string, ReturnType<typeof broker>> = { A: broker('A'), B: broker('B') };
  const leaderOf = (p: number) => (p < 3 ? 'A' : 'B');
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => undefined,
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    findTopicPartitionMetadata: () => [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId, leader: leaderOf(partitionId) })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) =>
      partitions.reduce<Record<string, number[]>>((byLeader, p) => {
        (byLeader[leaderOf(Number(p))] ??= []).push(Number(p));
        return byLeader;
      }, {}),
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers[nodeId],
  };
  const sequences = new Map<number, number>();
  const eosManager = {
    acquireBrokerLock: async (b: { nodeId: string }) => {
      while (locks.has(b.nodeId)) await locks.get(b.nodeId);
      locks.set(b.nodeId, new Promise<void>((resolve) => unlocks.set(b.nodeId, resolve)));
    },
    releaseBrokerLock: async (b: { nodeId: string }) => {
      locks.delete(b.nodeId);
      unlocks.get(b.nodeId)!();
    },
    isTransactional: () => false,
    getSequence: (_topic: string, partition: number) => sequences.get(partition) ?? 0,
    updateSequence: (_topic: string, partition: number, delta: number) => sequences.set(partition, (sequences.get(partition) ?? 0) + delta),
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getTransactionalId: () => undefined,
  };
  return { written, cluster, eosManager };
}

describe('kafkajs sending when one broker fails while another is still answering', () => {
  it('retries only after every request of the failed attempt has settled, so the slow broker is written once', async () => {
    const { written, cluster, eosManager } = slowAndFailingBrokers();
    const send = createSendMessages({
      logger: silent,
      cluster,
      partitioner: Murmur2Partitioner(),
      eosManager,
      retrier: createRetry({ retries: 2, initialRetryTime: 1, maxRetryTime: 5 }),
    });
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `recipient-${i}`, value: 'SendSms' }));

    const answer = await send({ acks: -1, topicMessages: [{ topic: 't', messages }] });

    const writesPerPartition = [0, 1, 2, 3, 4, 5].map((p) => written.filter((w) => w.partition === p).length);
    expect(writesPerPartition).toEqual([1, 1, 1, 1, 1, 1]);
    expect(answer.map((r) => r.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
