// What kafkajs keeps in memory for our producers, against the stack's real broker: the metadata of
// the contract's topics, not of every topic of the cluster (issue 13: the development broker holds
// hundreds of test topics, and their metadata tripped the fuzz suite's post-GC heap allowance).
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { KafkaConfig } from '@app/shared/config/common.env.js';
import { KafkaProducerService } from '@app/shared/kafka/kafka-producer.service.js';
import { ensureTopics } from '@app/shared/kafka/kafka-topics.initializer.js';
import { stackEnv, uniqueName } from '../../support/stack.js';

const brokers = stackEnv().Kafka__BrokerList.split(',');

/** The part of a kafkajs Cluster (private to kafkajs) that holds the cached metadata. */
interface ClusterCache {
  brokerPool: { metadata?: { topicMetadata: { topic: string }[] } | null };
}

/** A Kafka client that records the Cluster behind each producer it creates (not its admins'), in creation order. */
function recordingClient(): { kafka: Kafka; clusters: ClusterCache[] } {
  const kafka = new Kafka({ clientId: uniqueName('metadata'), brokers, logLevel: logLevel.NOTHING });
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!key) throw new Error('kafkajs no longer creates its clusters through private:Kafka:createCluster');
  const target = kafka as unknown as Record<symbol, (...args: unknown[]) => ClusterCache>;
  const create = target[key]!;
  const clusters: ClusterCache[] = [];
  let creatingProducer = false;
  target[key] = (...args) => {
    const cluster = create(...args);
    if (creatingProducer) clusters.push(cluster);
    return cluster;
  };
  const producer = kafka.producer.bind(kafka);
  kafka.producer = (options) => {
    creatingProducer = true;
    try {
      return producer(options);
    } finally {
      creatingProducer = false;
    }
  };
  return { kafka, clusters };
}

const cachedTopics = (cluster: ClusterCache | undefined) => (cluster?.brokerPool.metadata?.topicMetadata ?? []).map((t) => t.topic).sort();

describe('the metadata our producers cache', () => {
  const base = uniqueName('metadata');
  const config: KafkaConfig = {
    brokers,
    clientId: base,
    createTopics: true,
    partitions: 2,
    replicationFactor: 1,
    topics: {
      notifications: `${base}-notifications`,
      payments: `${base}-payments`,
      foreignProducts: `${base}-foreign-products`,
      deadletter: `${base}-deadletter`,
      broadcasts: `${base}-broadcasts`,
    },
  };
  const ours = Object.values(config.topics).sort();
  /** Other topics on the broker, so "every topic" and "ours" differ on a fresh stack too. */
  const bystanders = [`${base}-bystander-1`, `${base}-bystander-2`, `${base}-bystander-3`];
  let admin: Admin;
  let service: KafkaProducerService;
  let clusters: ClusterCache[];

  beforeAll(async () => {
    const client = recordingClient();
    clusters = client.clusters;
    await ensureTopics(client.kafka, config, [...ours, ...bystanders]);
    admin = client.kafka.admin();
    await admin.connect();
    service = new KafkaProducerService(client.kafka, config);
    await service.onModuleInit();
    await service.onApplicationBootstrap();
  }, 60_000);

  afterAll(async () => {
    await service?.onApplicationShutdown();
    await admin?.deleteTopics({ topics: [...ours, ...bystanders] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('is what kafkajs alone caches: every topic of the broker, once a producer has connected', async () => {
    const plain = recordingClient();
    const producer = plain.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const all = await admin.listTopics();
      expect(cachedTopics(plain.clusters[0])).toEqual(expect.arrayContaining([...ours, ...bystanders]));
      expect(cachedTopics(plain.clusters[0]).length).toBe(all.length);
    } finally {
      await producer.disconnect();
    }
  });

  it('holds only the contract topics in the idempotent producer, from start-up on, having produced nothing', async () => {
    expect(cachedTopics(clusters[0])).toEqual(ours);
    const offsets = await admin.fetchTopicOffsets(config.topics.payments);
    expect(offsets.map((o) => o.high)).toEqual(['0', '0']);
  });

  it('holds only the contract topics in the transactional producer, even after a transaction that sent nothing', async () => {
    await service.inTransaction(async () => undefined);
    expect(cachedTopics(clusters[1])).toEqual(ours);
  });

  it('delivers as before: a publish and a committed transaction each land once', async () => {
    await service.send(config.topics.payments, [{ key: 'k', value: '{}' }]);
    await service.inTransaction((batch) => batch.send(config.topics.notifications, [{ key: 'k', value: '{}' }]));
    const high = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
    expect(await high(config.topics.payments)).toBe(1);
    expect(await high(config.topics.notifications)).toBe(2); // the message and the transaction's commit marker
    expect(cachedTopics(clusters[0])).toEqual(ours);
    expect(cachedTopics(clusters[1])).toEqual(ours);
  });
});
