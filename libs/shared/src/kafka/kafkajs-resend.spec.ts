// kafkajs 2.2.4's own send routine (src/producer/sendMessages.js, with patches/kafkajs+2.2.4.patch
// applied) driven with a stand-in cluster, to pin down the behaviour AcknowledgedPartitions guards
// against: the retry of a send is per broker, so a partition can be skipped (C3) or written twice
// (C2) when leaders move mid-send. The last case is the one the patch fixes: unpatched, a retry
// started while another broker was still answering, wrote that broker's partitions a second time
// and kept one of the two answers (cluster C2, seen in Kafka's log as two batches of one transaction).
import { createRequire } from 'node:module';
import type { ICustomPartitioner, RecordMetadata } from 'kafkajs';
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
const PARTITIONS = [0, 1, 2, 3, 4, 5];
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const notLeader = () => new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER_FOR_PARTITION));

interface Written {
  broker: string;
  partition: number;
  firstSequence: number;
  count: number;
}

interface ProduceRequest {
  topicData: { partitions: { partition: number; firstSequence: number; messages: unknown[] }[] }[];
}

/** A broker's answer acknowledging every partition of the request. */
const acknowledgeAll = (request: ProduceRequest) => ({
  topics: [
    {
      topicName: 't',
      partitions: request.topicData[0]!.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
    },
  ],
});

/** Records each partition a broker writes. */
const record = (written: Written[], broker: string, request: ProduceRequest) => {
  for (const p of request.topicData[0]!.partitions)
    written.push({ broker, partition: p.partition, firstSequence: p.firstSequence, count: p.messages.length });
};

/** The cluster kafkajs sees: `leaderOf` a partition, read again on every call (after `onRefresh`). */
function standInCluster(brokers: Record<string, unknown>, leaderOf: (partition: number) => string, onRefresh = () => undefined) {
  return {
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => onRefresh(),
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    findTopicPartitionMetadata: () => PARTITIONS.map((partitionId) => ({ partitionId, leader: leaderOf(partitionId) })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) =>
      partitions.reduce<Record<string, number[]>>((byLeader, p) => {
        (byLeader[leaderOf(Number(p))] ??= []).push(Number(p));
        return byLeader;
      }, {}),
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers[nodeId],
  };
}

/** An idempotent producer's numbering; with `lockPerBroker`, requests to one broker go one after the other, as kafkajs' broker lock makes them. */
function idempotentNumbering(lockPerBroker = false) {
  const sequences = new Map<number, number>();
  const locks = new Map<string, { held: Promise<void>; release: () => void }>();
  return {
    acquireBrokerLock: async (broker: { nodeId: string }) => {
      if (!lockPerBroker) return;
      while (locks.has(broker.nodeId)) await locks.get(broker.nodeId)!.held;
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      locks.set(broker.nodeId, { held, release });
    },
    releaseBrokerLock: async (broker: { nodeId: string }) => {
      const lock = locks.get(broker.nodeId);
      locks.delete(broker.nodeId);
      lock?.release();
    },
    isTransactional: () => false,
    getSequence: (_topic: string, partition: number) => sequences.get(partition) ?? 0,
    updateSequence: (_topic: string, partition: number, delta: number) => sequences.set(partition, (sequences.get(partition) ?? 0) + delta),
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getTransactionalId: () => undefined,
  };
}

/** kafkajs' send routine over a stand-in, and 60 keyed messages sent with it to topic `t`. */
async function sendSixty(standIn: { cluster: unknown; eosManager: unknown }, partitioner: ReturnType<ICustomPartitioner>) {
  const send = createSendMessages({
    logger: silent,
    ...standIn,
    partitioner,
    retrier: createRetry({ retries: 2, initialRetryTime: 1, maxRetryTime: 5 }),
  });
  const messages = Array.from({ length: 60 }, (_, i) => ({ key: `recipient-${i}`, value: 'SendSms' }));
  return { messages, answer: await send({ acks: -1, topicMessages: [{ topic: 't', messages }] }) };
}

const writesPerPartition = (written: readonly Written[]) => PARTITIONS.map((p) => written.filter((w) => w.partition === p).length);

/**
 * Two brokers. A leads partitions 0-2, B leads 3-5. B's first produce fails with
 * NOT_LEADER_FOR_PARTITION, and the metadata kafkajs then reads has moved partition 1 from A to B:
 * a leader election while the send was under way.
 */
function movingCluster() {
  const written: Written[] = [];
  const leaders: Record<number, string> = { 0: 'A', 1: 'A', 2: 'A', 3: 'B', 4: 'B', 5: 'B' };
  const cluster = standInCluster(
    brokersAAndB(written),
    (p) => leaders[p]!,
    () => void (leaders[1] = 'B'),
  );
  return { written, cluster, eosManager: idempotentNumbering() };
}

/** Brokers A and B: B fails its first request with NOT_LEADER_FOR_PARTITION; A answers after `aLatencyMs`. */
function brokersAAndB(written: Written[], aLatencyMs = 0) {
  let bFailures = 1;
  const broker = (name: string) => ({
    nodeId: name,
    produce: async (request: ProduceRequest) => {
      if (name === 'B' && bFailures-- > 0) throw notLeader();
      record(written, name, request);
      if (name === 'A' && aLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, aLatencyMs)); // the leader's latency, not a synchronisation
      return acknowledgeAll(request);
    },
  });
  return { A: broker('A'), B: broker('B') };
}

describe('kafkajs 2.2.4 sending while a partition moves to a broker that has not answered', () => {
  it('writes that partition twice, with new sequence numbers, and lists it twice in the answer', async () => {
    const acknowledged = new AcknowledgedPartitions();
    const standIn = movingCluster();
    const { messages, answer } = await sendSixty(standIn, acknowledged.partitioner());

    const partitionOne = standIn.written.filter((w) => w.partition === 1);
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
  const written: Written[] = [];
  let failures = 1;
  const broker = {
    nodeId: 'A',
    produce: async (request: ProduceRequest) => {
      const failing = failures-- > 0 ? 5 : -1;
      record(written, 'A', { topicData: [{ partitions: request.topicData[0]!.partitions.filter((p) => p.partition !== failing) }] });
      // kafkajs' produce response parser throws on the first partition error: the whole answer is lost.
      if (failing >= 0) throw notLeader();
      return acknowledgeAll(request);
    },
  };
  // A producer without idempotence: no producer id, every batch numbered 0, so the broker cannot tell a resend.
  const eosManager = { ...idempotentNumbering(), getSequence: () => 0, updateSequence: () => undefined, getProducerId: () => -1 };
  return { written, cluster: standInCluster({ A: broker }, () => 'A'), eosManager };
}

describe('kafkajs 2.2.4 plain send when one partition of a broker fails', () => {
  it('sends every partition of that broker again, so the ones already written are written twice', async () => {
    const standIn = partlyFailingBroker();
    const { messages } = await sendSixty(standIn, Murmur2Partitioner());

    expect(writesPerPartition(standIn.written)).toEqual([2, 2, 2, 2, 2, 1]);
    expect(standIn.written.reduce((sum, w) => sum + w.count, 0)).toBeGreaterThan(messages.length);
  });
});

/**
 * Two brokers, as in the controller kill of cluster C2: A leads partitions 0-2 and takes 20 ms to
 * answer (a leader waiting for its followers); B leads 3-5 and fails its first request at once.
 */
function slowAndFailingBrokers() {
  const written: Written[] = [];
  const cluster = standInCluster(brokersAAndB(written, 20), (p) => (p < 3 ? 'A' : 'B'));
  return { written, cluster, eosManager: idempotentNumbering(true) };
}

describe('kafkajs sending when one broker fails while another is still answering', () => {
  it('retries only after every request of the failed attempt has settled, so the slow broker is written once', async () => {
    const standIn = slowAndFailingBrokers();
    const { answer } = await sendSixty(standIn, Murmur2Partitioner());

    expect(writesPerPartition(standIn.written)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(answer.map((r) => r.partition).sort()).toEqual(PARTITIONS);
  });
});
