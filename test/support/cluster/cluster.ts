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

/**
 * A client for reading the cluster's metadata while node `avoidIndex` is frozen: it does not
 * bootstrap from that node, and gives up on a request after 3 s (a frozen node accepts the TCP
 * connection and then answers nothing, which kafkajs would wait 30 s for).
 */
export function metadataKafka(avoidIndex: number): Kafka {
  const brokers = kafkaNodes()
    .filter((n) => n.index !== avoidIndex)
    .map((n) => `127.0.0.1:${n.port}`);
  return new Kafka({ clientId: 'cluster-metadata', brokers, logLevel: logLevel.NOTHING, requestTimeout: 3_000, retry: { retries: 2 } });
}

/** The env every app of a cluster scenario gets on top of its own: topics created with RF 3. */
export const CLUSTER_APP_ENV = { KAFKA_TOPIC_REPLICATION: String(REPLICATION) };

/**
 * A topic with replication factor 3 and min.insync.replicas=2 whose partitions are all led (as
 * preferred leader) by node `leader`, or by node `leader(p)` for partition p, or spread
 * round-robin when it is undefined.
 */
export async function createReplicatedTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
  leader?: number | ((partition: number) => number),
): Promise<void> {
  const ids = kafkaNodes().map((n) => n.id);
  const replicasOf = (p: number) => {
    const first = typeof leader === 'function' ? leader(p) : (leader ?? p % ids.length);
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

/** True when the metadata was read (a failed read is no answer, not a yes) and every partition passes. */
const everyPartition = (states: PartitionState[], test: (p: PartitionState) => boolean): boolean => states.length > 0 && states.every(test);

/** Waits until no partition of `topic` is led by node `id` any more (the cluster noticed it is gone); returns when. */
export async function untilLeadershipMoved(kafka: Kafka, topic: string, id: number, timeoutMs: number): Promise<number> {
  await until(
    async () => everyPartition(await partitionStates(kafka, topic).catch(() => []), (p) => p.leader !== id && p.leader >= 0),
    timeoutMs,
    `leadership of ${topic} to move off node ${id}`,
  );
  return Date.now();
}

/** Waits until every partition of `topic` has all `REPLICATION` replicas in sync again (the restarted node caught up). */
export async function untilFullyInSync(kafka: Kafka, topic: string, timeoutMs: number): Promise<number> {
  await until(
    async () => everyPartition(await partitionStates(kafka, topic).catch(() => []), (p) => p.isr.length === REPLICATION),
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
  return longestGapAfter(
    sink.messages.map((m) => m.receivedAt),
    faultAt,
  );
}

/** The longest interval without any of `times` (epoch ms), from `faultAt` to the last of them. */
export const longestGapAfter = (times: readonly number[], faultAt: number): number => longestGapWindow(times, faultAt).ms;

/** The longest interval without any of `times` from `faultAt` on: how long, and when it began (ms after the fault). */
export function longestGapWindow(times: readonly number[], faultAt: number): { ms: number; beganAfterMs: number } {
  const after = [faultAt, ...times.filter((t) => t >= faultAt).sort((a, b) => a - b)];
  let window = { ms: 0, beganAfterMs: 0 };
  for (let i = 1; i < after.length; i++) {
    const gap = after[i]! - after[i - 1]!;
    if (gap > window.ms) window = { ms: gap, beganAfterMs: after[i - 1]! - faultAt };
  }
  return window;
}

/** The first of `times` (epoch ms) at or after `from`, or undefined. */
export const firstAtOrAfter = (times: readonly number[], from: number): number | undefined =>
  times.filter((t) => t >= from).sort((a, b) => a - b)[0];

/** Waits until the stack's Redis answers PING (it refuses with LOADING while it reads its AOF); returns when. */
export async function untilRedisAnswers(timeoutMs: number): Promise<number> {
  const redis = new Redis(stackEnv().REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  try {
    await until(
      async () => {
        try {
          if (redis.status !== 'ready') {
            redis.disconnect();
            await redis.connect();
          }
          return (await redis.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      timeoutMs,
      'Redis to answer PING',
    );
    return Date.now();
  } finally {
    redis.disconnect();
  }
}

/** A field of the stack's Redis `INFO persistence` (e.g. `aof_enabled`). */
export async function redisPersistence(field: string): Promise<string | undefined> {
  const redis = new Redis(stackEnv().REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return new RegExp(`^${field}:(.*)$`, 'm').exec(await redis.info('persistence'))?.[1]?.trim();
  } finally {
    redis.disconnect();
  }
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
