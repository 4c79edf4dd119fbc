import { KafkaJSAggregateError, KafkaJSProtocolError, type Admin, type ITopicConfig, type ITopicMetadata, type Kafka } from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';
import { ensureTopics, KafkaTopicSetupError } from './kafka-topics.initializer.js';

const config = { partitions: 2, replicationFactor: 3 } as KafkaConfig;

/** A Kafka error answer as kafkajs raises it; `topic` set as on its per-topic CreateTopics errors. */
const protocolError = (type: string, code: number, message: string, topic?: string) =>
  Object.assign(new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable: code === 3 })), topic ? { topic } : {});

/** The answer of one broker that has not applied a just-created topic yet (what kafkajs bails on). */
const unknownTopic = () => protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'This server does not host this topic-partition');

/**
 * A kafkajs admin over a cluster holding `existing`; `metadata` answers each fetchTopicMetadata
 * call in turn (the last one repeats).
 */
function fakeKafka(
  existing: string[],
  metadata: (() => ITopicMetadata[])[],
  createTopics: () => Promise<boolean> = async () => true,
  offsetsServedAfter = 0,
) {
  const calls = {
    created: [] as ITopicConfig[][],
    waitForLeaders: [] as (boolean | undefined)[],
    metadata: 0,
    offsets: 0,
    disconnected: 0,
  };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => void calls.disconnected++,
    listTopics: async () => existing,
    createTopics: async (request: { topics: ITopicConfig[]; waitForLeaders?: boolean }) => {
      calls.created.push(request.topics);
      calls.waitForLeaders.push(request.waitForLeaders);
      return createTopics();
    },
    fetchTopicMetadata: async () => ({ topics: metadata[Math.min(calls.metadata++, metadata.length - 1)]!() }),
    fetchTopicOffsets: async () => {
      if (calls.offsets++ < offsetsServedAfter)
        throw protocolError('NOT_LEADER_FOR_PARTITION', 6, 'This server is not the leader for that topic-partition');
      return [];
    },
  } as unknown as Admin;
  return { kafka: { admin: () => admin } as unknown as Kafka, calls };
}

const led =
  (...names: string[]) =>
  () =>
    names.map((name) => ({
      name,
      partitions: [0, 1].map((p) => ({
        partitionId: p,
        leader: 1 + p,
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        partitionErrorCode: 0,
        offlineReplicas: [],
      })),
    }));
const leaderless =
  (...names: string[]) =>
  () =>
    names.map((name) => ({
      name,
      partitions: [{ partitionId: 0, leader: -1, replicas: [1, 2, 3], isr: [], partitionErrorCode: 5, offlineReplicas: [] }],
    }));
const throwing = () => () => {
  throw unknownTopic();
};

describe('ensureTopics', () => {
  it('waits until the named leaders serve their partitions (their offsets answer NOT_LEADER for a moment)', async () => {
    const { kafka, calls } = fakeKafka([], [led('payments')], async () => true, 2);
    await ensureTopics(kafka, config, ['payments']);
    expect(calls.offsets).toBe(3);
  });

  it('creates only the missing topics, and waits through "unknown topic" answers of brokers that have not applied them yet', async () => {
    const { kafka, calls } = fakeKafka(['notifications'], [throwing(), throwing(), leaderless('deadletter'), led('deadletter')]);
    await ensureTopics(kafka, config, ['notifications', 'deadletter', 'deadletter'], 5_000);
    expect(calls.created).toEqual([[{ topic: 'deadletter', numPartitions: 2, replicationFactor: 3 }]]);
    // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION (the bug this replaces).
    expect(calls.waitForLeaders).toEqual([false]);
    expect(calls.metadata).toBe(4);
    expect(calls.disconnected).toBe(1);
  });

  it('does nothing when every topic exists', async () => {
    const { kafka, calls } = fakeKafka(['notifications', 'deadletter'], [throwing()]);
    await ensureTopics(kafka, config, ['notifications', 'deadletter'], 5_000);
    expect(calls.created).toEqual([]);
    expect(calls.metadata).toBe(0);
  });

  it('fails with a message naming the topics when they never get leaders', async () => {
    const { kafka, calls } = fakeKafka([], [throwing()]);
    const failure = ensureTopics(kafka, config, ['notifications', 'deadletter'], 300);
    await expect(failure).rejects.toBeInstanceOf(KafkaTopicSetupError);
    await expect(failure).rejects.toThrow(
      'Kafka topics notifications, deadletter were created but did not get a leader for every partition within 0.3 s (last answer: This server does not host this topic-partition)',
    );
    expect(calls.disconnected).toBe(1);
  });

  it('fails with a message naming each topic and why when the cluster refuses to create them', async () => {
    // What kafkajs throws for a CreateTopics answer with per-topic errors.
    const tooMany = (topic: string) => protocolError('INVALID_REPLICATION_FACTOR', 38, 'Replication-factor is invalid', topic);
    const refused = new KafkaJSAggregateError('Topic creation errors', [tooMany('notifications'), tooMany('deadletter')]);
    const { kafka, calls } = fakeKafka([], [led('deadletter')], async () => Promise.reject(refused));
    await expect(ensureTopics(kafka, config, ['notifications', 'deadletter'], 5_000)).rejects.toThrow(
      new KafkaTopicSetupError(
        'creating Kafka topics notifications, deadletter failed: Topic creation errors (notifications: Replication-factor is invalid; deadletter: Replication-factor is invalid)',
      ),
    );
    expect(calls.metadata).toBe(0);
    expect(calls.disconnected).toBe(1);
  });
});
