// Cluster: topics an app creates at start-up. On a multi-node cluster a broker that has not yet
// applied a just-created topic answers UNKNOWN_TOPIC_OR_PARTITION; kafkajs' own wait for leaders
// gave up on that answer, so a notifier that had to create its dead-letter topic failed to start
// about every other time, with only kafkajs' "This server does not host this topic-partition" to
// say why. Now the creation waits until every partition has a leader, and a creation that really
// fails ends the start-up with one line naming the topics (exit 1).
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import type { KafkaConfig } from '@app/shared/config/common.env.js';
import { createKafkaClient } from '@app/shared/kafka/kafka-client.factory.js';
import { ensureTopics } from '@app/shared/kafka/kafka-topics.initializer.js';
import { startTwilioSink, type TwilioSink } from '../../../../peers/twilio-sink/twilio-sink.js';
import { builtAppEntry, type AppProcess } from '../../../support/app-process.js';
import { reportFigures } from '../../../support/figures.js';
import { kafkaNodes, stackEnv, uniqueName } from '../../../support/stack.js';
import { phone, sendSmsJson, spreadKey, TEST_ACCOUNT_SID, until } from '../../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember } from '../../../support/notifier/fleet.js';
import { produce } from '../../../support/notifier/kafka.js';
import {
  CLUSTER_APP_ENV,
  clusterKafka,
  createReplicatedTopic,
  partitionStates,
  REPLICATION,
  requireCluster,
} from '../../../support/cluster/cluster.js';

jest.setTimeout(240_000);

/** Rounds of creation: the old wait failed about every other one, so all of them passing is no accident. */
const ROUNDS = 8;
const PARTITIONS = 6;

describe('cluster: topics created by an app at start-up', () => {
  let kafka: Kafka;
  let sink: TwilioSink;
  const notifiers: AppProcess[] = [];
  const figures: Record<string, unknown> = { scenario: 'cluster:topic-creation' };

  beforeAll(async () => {
    requireCluster();
    kafka = clusterKafka();
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID });
    await builtAppEntry('notifier'); // built before the start-up is timed
  });

  afterAll(async () => {
    for (const n of notifiers) n.kill('SIGKILL');
    await Promise.all(notifiers.map((n) => n.exited));
    await sink?.stop();
    reportFigures('faults', figures);
  });

  it('returns only once every partition of every new topic has a leader', async () => {
    const slowest: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const base = uniqueName('created');
      const topics = [`${base}-notifications`, `${base}-deadletter`, `${base}-payments`];
      const startedAt = Date.now();
      await ensureTopics(createKafkaClient(appKafkaConfig(base)), appKafkaConfig(base), topics);
      slowest.push(Date.now() - startedAt);
      for (const topic of topics) {
        const states = await partitionStates(kafka, topic);
        expect(states).toHaveLength(PARTITIONS);
        expect(states.every((p) => p.leader > 0)).toBe(true);
      }
    }
    figures.creationRounds = ROUNDS;
    figures.slowestCreationMs = Math.max(...slowest);
  });

  it('starts a notifier that has to create its dead-letter topic, which then takes a poison record', async () => {
    const topic = uniqueName('created-notifications');
    await createReplicatedTopic(kafka, topic, PARTITIONS);
    const env = fleetEnv({ topic, sink, extra: CLUSTER_APP_ENV });
    const deadletter = env.KAFKA_TOPIC_DEADLETTER!;
    expect(await topicExists(deadletter)).toBe(false);

    const startedAt = Date.now();
    const notifier = await startMember(env);
    notifiers.push(notifier);
    await joinedWithPartitions(notifier, 60_000);
    figures.notifierStartMs = Date.now() - startedAt;
    expect(notifier.output()).toContain(`"created topics"`);

    await produce(kafka, topic, [
      { key: spreadKey(0), value: sendSmsJson(phone(0), 'SendOtp', 'en-US', { otp: '123456' }) },
      { key: spreadKey(1), value: 'not json at all' },
    ]);
    await sink.waitFor((s) => s.messages.length >= 1, 60_000, 'the SMS');
    await untilRecords(deadletter, 1, 60_000);
    expect(sink.countByTo().get(phone(0))).toBe(1);
    expect((await partitionStates(kafka, deadletter)).every((p) => p.leader > 0 && p.isr.length === REPLICATION)).toBe(true);
    expect(notifier.child.exitCode).toBeNull();
  });

  it('exits 1 with one line naming the topics when they cannot be created', async () => {
    const topic = uniqueName('uncreatable');
    const env = fleetEnv({ topic, sink, extra: { KAFKA_TOPIC_REPLICATION: String(kafkaNodes().length + 1) } });
    const notifier = await startMember(env);
    notifiers.push(notifier);
    const code = await notifier.exited;
    const failure = notifier
      .output()
      .split('\n')
      .filter((l) => l.includes('start-up failed'));
    figures.uncreatableExitCode = code;
    figures.uncreatableMessage = failure[0];

    expect(code).toBe(1);
    expect(failure).toHaveLength(1);
    expect(failure[0]).toMatch(new RegExp(`^notifier: start-up failed: creating Kafka topics .*${topic}-deadletter.* failed: `));
    // The reason per topic (kafkajs' text for Kafka's error code), not just "Topic creation errors".
    expect(failure[0]).toContain(`${topic}-deadletter: Replication-factor is invalid`);
    expect(notifier.output()).not.toMatch(/^\s+at /m);
  });

  function appKafkaConfig(base: string): KafkaConfig {
    return {
      brokers: stackEnv().Kafka__BrokerList.split(','),
      clientId: base,
      createTopics: true,
      partitions: PARTITIONS,
      replicationFactor: REPLICATION,
      topics: { notifications: base, payments: base, foreignProducts: base, deadletter: base, broadcasts: base },
    };
  }

  async function topicExists(name: string): Promise<boolean> {
    const admin = kafka.admin();
    await admin.connect();
    return (await admin.listTopics().finally(() => admin.disconnect())).includes(name);
  }

  /** Waits until `topic` holds at least `count` records (sum of its partitions' high watermarks). */
  async function untilRecords(name: string, count: number, timeoutMs: number): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const held = async () => (await admin.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high), 0);
      await until(async () => (await held()) >= count, timeoutMs, `${count} record(s) in ${name}`);
    } finally {
      await admin.disconnect();
    }
  }
});
