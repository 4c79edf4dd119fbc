// Cluster side of the cluster fault scenarios: replicated topics with a chosen leader, partition
// leaders from the cluster metadata, the KRaft controller, and the stall/recovery figures measured
// at the Twilio sink around a fault.
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import type { TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { clusterMode, kafkaNodes, kafkaQuorum, stackEnv } from '../stack.js';
import { until } from '../notifier/events.js';

export const REPLICATION = 3;

/** Fails fast when the suite was started against the single-broker stack. */
export function requireCluster(): void {
  if (!clusterMode() || kafkaNodes().length < 3)
    throw new Error('the cluster scenarios need the 3-node stack: npm run test:cluster (STACK_KAFKA_BROKERS=3)');
}

export function clusterKafka(clientId = 'cluster-faults'): Kafka {
  return new Kafka({ clientId, brokers: stackEnv().Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

/** The env every app of a cluster scenario gets on top of its own: topics created with RF 3. */
export const CLUSTER_APP_ENV = { KAFKA_TOPIC_REPLICATION: String(REPLICATION) };

/**
 * A topic with replication factor 3 and min.insync.replicas=2 whose partitions are all led (as
 * preferred leader) by node `leaderIndex`, or spread round-robin when it is undefined.
 */
export async function createReplicatedTopic(kafka: Kafka, topic: string, partitions: number, leaderIndex?: number): Promise<void> {
  const ids = kafkaNodes().map((n) => n.id);
  const replicasOf = (p: number) => {
    const first = leaderIndex ?? p % ids.length;
    return Array.from({ length: REPLICATION }, (_, k) => ids[(first + k) % ids.length]!);
  };
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Not `waitForLeaders`: right after the create, a broker that has not seen the topic yet answers
    // UNKNOWN_TOPIC_OR_PARTITION, which kafkajs does not retry. Polled below instead.
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          replicaAssignment: Array.from({ length: partitions }, (_, p) => ({ partition: p, replicas: replicasOf(p) })),
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  await until(
    async () => {
      const states = await partitionStates(kafka, topic).catch(() => []);
      return states.length === partitions && states.every((p) => p.leader === replicasOf(p.partition)[0] && p.isr.length === REPLICATION);
    },
    30_000,
    `${topic} created with its leaders`,
  );
}

export interface PartitionState {
  partition: number;
  leader: number;
  isr: number[];
}

/** Leader and ISR of each partition of `topic`, as the cluster metadata says now. */
export async function partitionStates(kafka: Kafka, topic: string): Promise<PartitionState[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return (topics[0]?.partitions ?? [])
      .map((p) => ({ partition: p.partitionId, leader: p.leader, isr: [...p.isr].sort() }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/** Index (in kafkaNodes()) of the node with node.id `id`. */
export const indexOfNode = (id: number): number => kafkaNodes().findIndex((n) => n.id === id);

/** Waits until no partition of `topic` is led by node `id` any more (the cluster noticed it is gone); returns when. */
export async function untilLeadershipMoved(kafka: Kafka, topic: string, id: number, timeoutMs: number): Promise<number> {
  await until(
    async () => (await partitionStates(kafka, topic).catch(() => [])).every((p) => p.leader !== id && p.leader >= 0),
    timeoutMs,
    `leadership of ${topic} to move off node ${id}`,
  );
  return Date.now();
}

/** Waits until every partition of `topic` has all `REPLICATION` replicas in sync again (the restarted node caught up). */
export async function untilFullyInSync(kafka: Kafka, topic: string, timeoutMs: number): Promise<number> {
  await until(
    async () => (await partitionStates(kafka, topic).catch(() => [])).every((p) => p.isr.length === REPLICATION),
    timeoutMs,
    `every replica of ${topic} back in sync`,
  );
  return Date.now();
}

/** The active controller's index, retried while the quorum is electing. */
export async function activeControllerIndex(timeoutMs = 60_000): Promise<{ index: number; epoch: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const q = await kafkaQuorum(15_000);
      if (q.leaderIndex >= 0) return { index: q.leaderIndex, epoch: q.leaderEpoch };
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error('no active controller');
  }
}

/**
 * The longest time the sink accepted no SMS, from the fault at `faultAt` to the end of the stream
 * (a gap already running at the fault counts from the fault).
 */
export function longestStallAfter(sink: TwilioSink, faultAt: number): number {
  const times = sink.messages
    .map((m) => m.receivedAt)
    .filter((t) => t >= faultAt)
    .sort((a, b) => a - b);
  let longest = times.length ? times[0]! - faultAt : 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest;
}

/** Number of Redis keys under `prefix` (SCAN, so the server is not blocked). */
export async function redisKeysUnder(prefix: string): Promise<number> {
  const redis = new Redis(stackEnv().REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

/**
 * Creates the topics the apps would create at start-up unless they exist, with what the apps do
 * not set: min.insync.replicas=2 per topic and leaders spread over the nodes. (That an app can
 * create its own topics on the cluster is shown by topic-creation.fault-spec.ts.)
 */
export async function ensureReplicatedTopics(kafka: Kafka, topics: string[], partitions = 6): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics().finally(() => admin.disconnect()));
  for (const topic of topics) if (!existing.has(topic)) await createReplicatedTopic(kafka, topic, partitions);
}
