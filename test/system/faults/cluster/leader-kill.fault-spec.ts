// Cluster scenario 1, partition leader killed: the notifier (a separate process) delivers 10,000
// SendSms from a replicated topic (RF 3, min.insync.replicas=2) whose six partitions are all led
// by one node; that node is SIGKILLed mid-stream and started again later. Leadership moves to the
// in-sync followers; every recipient gets exactly one SMS.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../../peers/twilio-sink/twilio-sink.js';
import type { AppProcess } from '../../../support/app-process.js';
import { reportFigures } from '../../../support/figures.js';
import { kafkaNodes, killKafkaNode, startKafkaNode, uniqueName } from '../../../support/stack.js';
import { phone, sendSmsJson, spreadKey, TEST_ACCOUNT_SID, until } from '../../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../../support/notifier/fleet.js';
import { untilAllCommitted } from '../../../support/notifier/kafka.js';
import {
  DEADLETTER_TOPIC,
  deadLettersFrom,
  firstAcceptedAt,
  latencySummary,
  leakedPhoneNumbers,
  produceBacklog,
  sinkCounts,
  untilAllDelivered,
} from '../../../support/faults/notifier-faults.js';
import {
  CLUSTER_APP_ENV,
  clusterKafka,
  createReplicatedTopic,
  ensureReplicatedTopics,
  partitionStates,
  requireCluster,
  longestStallAfter,
  untilFullyInSync,
  untilLeadershipMoved,
} from '../../../support/cluster/cluster.js';

jest.setTimeout(300_000);

const EVENTS = 10_000;
const PARTITIONS = 6;
const MAX_SMS_PER_SECOND = 400;
/** The node that leads every partition of the topic, and is killed. */
const VICTIM = 1;
const KILL_AT_SHARE = 0.3;

describe("cluster scenario 1: the notifications partitions' leader SIGKILLed mid-stream", () => {
  const topic = uniqueName('cluster-leader');
  let kafka: Kafka;
  let sink: TwilioSink;
  let notifier: AppProcess;

  beforeAll(async () => {
    requireCluster();
    kafka = clusterKafka();
    await createReplicatedTopic(kafka, topic, PARTITIONS, VICTIM);
    await ensureReplicatedTopics(kafka, [DEADLETTER_TOPIC]);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, latencyMs: 20 });
  });

  afterAll(async () => {
    notifier?.kill('SIGKILL');
    await notifier?.exited;
    await sink?.stop();
    await startKafkaNode(VICTIM); // no-op when running
  });

  it('delivers 10,000 SMS exactly once while the leader is killed and comes back', async () => {
    const victimId = kafkaNodes()[VICTIM]!.id;
    const before = await partitionStates(kafka, topic);
    expect(before.map((p) => p.leader)).toEqual(Array(PARTITIONS).fill(victimId));
    expect(before.every((p) => p.isr.length === 3)).toBe(true);

    const recipients = Array.from({ length: EVENTS }, (_, i) => phone(i));
    const events = recipients.map((to, i) => ({
      partition: i % PARTITIONS,
      key: spreadKey(i),
      value: sendSmsJson(to, 'SendOtp', 'en-US', { otp: String(100000 + i) }),
    }));
    // The backlog is written first: a kafkajs producer of the test's own, killed under, would fail
    // the test rather than the notifier. The kill hits the notifier's fetches and offset commits.
    const sentAt = await produceBacklog(kafka, topic, events);
    const env = fleetEnv({
      topic,
      sink,
      extra: { ...CLUSTER_APP_ENV, KAFKA_TOPIC_DEADLETTER: DEADLETTER_TOPIC, TWILIO_MAX_MPS: String(MAX_SMS_PER_SECOND) },
    });
    const startedAt = Date.now();
    notifier = await startMember(env);
    await joinedWithPartitions(notifier, 60_000);

    await sink.waitFor((s) => s.messages.length >= KILL_AT_SHARE * EVENTS, 120_000, `${KILL_AT_SHARE * 100} % of the SMS`);
    const acceptedAtKill = sink.messages.length;
    const killedAt = Date.now();
    const pid = await killKafkaNode(VICTIM, 'SIGKILL');
    const movedAt = await untilLeadershipMoved(kafka, topic, victimId, 60_000);
    // Read again from whichever node answers; one whose metadata still lags may name the old leader
    // for a moment, so read until an answer agrees (untilLeadershipMoved saw one already).
    let during: Awaited<ReturnType<typeof partitionStates>> = [];
    await until(
      async () => {
        during = await partitionStates(kafka, topic).catch(() => []);
        return during.length > 0 && during.every((p) => p.leader !== victimId && p.leader > 0);
      },
      30_000,
      'the new leaders in the metadata',
    );
    const acceptedAtMove = sink.messages.length;
    // Back once delivery runs on the new leaders: the node rejoins and catches up.
    await sink.waitFor(
      (s) => s.messages.length >= acceptedAtMove + 500 || s.messages.length === EVENTS,
      120_000,
      'delivery on the new leaders',
    );
    const restartAt = Date.now();
    // Counted when the restart begins: a loaded machine may take 30 s and more to bring the node up,
    // and the rest of the stream may be delivered meanwhile.
    const acceptedAtRestart = sink.messages.length;
    await startKafkaNode(VICTIM);
    const restartedAt = Date.now();
    const acceptedWhenServing = sink.messages.length;

    await untilAllDelivered(sink, recipients, 180_000);
    await untilAllCommitted(kafka, env.KAFKA_CONSUMER_GROUP!, topic, 60_000);
    const durationMs = Date.now() - startedAt;
    const inSyncAt = await untilFullyInSync(kafka, topic, 120_000);
    const deadLetters = await deadLettersFrom(kafka, topic);

    const counts = sinkCounts(sink, recipients);
    const accepted = firstAcceptedAt(sink);
    const latencies = latencySummary(recipients.flatMap((to, i) => (accepted.has(to) ? [accepted.get(to)! - sentAt[i]!] : [])));
    const longestStallMs = longestStallAfter(sink, killedAt);

    reportFigures('faults', {
      scenario: 'cluster:partition-leader-killed',
      sent: EVENTS,
      delivered: counts.delivered,
      duplicated: counts.duplicated,
      lost: counts.missing.length,
      deadLettered: deadLetters.length,
      maxLatencyMs: latencies.maxLatencyMs,
      p50LatencyMs: latencies.p50Ms,
      p99LatencyMs: latencies.p99Ms,
      acceptedAtKill,
      acceptedAtRestart,
      acceptedWhenServing,
      newLeaders: [...new Set(during.map((p) => p.leader))],
      longestStallMs,
      // From the kill until the metadata named new leaders for every partition.
      recoveryMs: movedAt - killedAt,
      nodeRestartMs: restartedAt - restartAt,
      backInSyncAfterRestartMs: inSyncAt - restartedAt,
      smsAtSink: sink.messages.length,
      notifierDuplicatesSkipped: statOf(notifier, 'duplicate'),
      notifierAlive: notifier.child.exitCode === null,
      durationMs,
    });

    expect(counts.missing).toEqual([]);
    expect(counts.duplicated).toBe(0);
    expect(sink.messages).toHaveLength(EVENTS);
    expect(deadLetters).toHaveLength(0);
    // The kill struck mid-stream, at the node that led every partition, and leadership really moved.
    expect(pid).toBeGreaterThan(0);
    expect(acceptedAtKill).toBeLessThan(EVENTS * 0.6);
    expect(acceptedAtRestart).toBeLessThan(EVENTS);
    expect(during.every((p) => p.leader !== victimId && p.leader > 0)).toBe(true);
    // The notifier itself lost the killed leader (its fetches or commits failed against it).
    const victimPort = kafkaNodes()[VICTIM]!.port;
    expect(notifier.output()).toMatch(new RegExp(`127\\.0\\.0\\.1:${victimPort}|offset commit failed|heartbeat failed|consumer crashed`));
    expect(notifier.child.exitCode).toBeNull();
    expect(leakedPhoneNumbers(notifier.output())).toEqual([]);
  });
});
