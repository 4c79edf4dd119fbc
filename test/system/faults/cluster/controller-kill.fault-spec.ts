// Cluster scenario 2, the active KRaft controller SIGKILLed during a 20,000-subscriber broadcast:
// a client's CONFIRM is fanned out by the broadcaster process (one SendSms per subscriber, written
// in Kafka transactions) and delivered by the notifier process to the Twilio sink. Once part of the
// SendSms is committed and delivered, the node that is the active controller (and a broker leading
// some partitions) is SIGKILLed; the other two elect a new controller, and the node is started
// again later. Every subscriber must get exactly one SMS, the client hear the true count once, and
// no process restart.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../../peers/twilio-sink/twilio-sink.js';
import { spawnBroadcaster, type AppProcess } from '../../../support/app-process.js';
import { baseBroadcasterEnv } from '../../../support/broadcaster-app.js';
import { reportFigures } from '../../../support/figures.js';
import { kafkaNodes, killKafkaNode, startKafkaNode, uniqueName } from '../../../support/stack.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, until } from '../../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../../support/notifier/fleet.js';
import { untilAllCommitted } from '../../../support/notifier/kafka.js';
import { leakedPhoneNumbers, sinkCounts } from '../../../support/faults/notifier-faults.js';
import { stackTraceLines, startWebhooksProcess, type WebhooksProcess } from '../../../support/faults/webhooks-process.js';
import { activate, catalogText, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../../support/twilio/twilio-support.js';
import {
  activeControllerIndex,
  CLUSTER_APP_ENV,
  clusterKafka,
  ensureReplicatedTopics,
  firstAtOrAfter,
  longestGapWindow,
  requireCluster,
  untilFullyInSync,
} from '../../../support/cluster/cluster.js';
import { explainDuplicates, kafkaCopies } from '../../../support/cluster/mixed-traffic.js';

jest.setTimeout(600_000);

const SUBSCRIBERS = 20_000;
/** The broadcaster's log line once a broadcast's last transaction is committed. */
const BROADCAST_COMPLETED = /"msg":"broadcast completed"/;
/** SMS accepted by Twilio when the controller is killed: part of the fan-out is committed and delivered. */
const DELIVERED_BEFORE_KILL = 200;
const PAGE_SIZE = 10;
/** The kill strikes once this many subscriber pages were read: a tenth of the broadcast. */
const PAGES_BEFORE_KILL = 200;
/** How long the node stays down: long enough for the survivors to elect a controller and carry on without it. */
const DOWN_MS = 15_000;
const CLIENT_PHONE = '+16660002001';

describe('cluster scenario 2: the active controller SIGKILLed during a 20,000-subscriber broadcast', () => {
  const base = uniqueName('controller');
  const topics = { payments: `${base}-payments`, foreignProducts: `${base}-foreign-products`, deadletter: `${base}-deadletter` };
  let kafka: Kafka;
  let peers: TwilioPeers;
  let sink: TwilioSink;
  let webhooks: WebhooksProcess;
  let broadcaster: AppProcess;
  let notifier: AppProcess;
  let notifierGroup: string;
  let victim = -1;
  let down = false;

  beforeAll(async () => {
    requireCluster();
    kafka = clusterKafka();
    peers = await startTwilioPeers('controller');
    await ensureReplicatedTopics(kafka, [peers.topic, peers.env.KAFKA_TOPIC_BROADCASTS!, ...Object.values(topics)]);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 5 });
    const appTopics = {
      KAFKA_TOPIC_PAYMENTS: topics.payments,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
      KAFKA_TOPIC_DEADLETTER: topics.deadletter,
    };
    webhooks = await startWebhooksProcess({ ...peers.env, ...CLUSTER_APP_ENV, ...appTopics }, 'cluster-controller');
    broadcaster = await spawnBroadcaster(
      // Pages of 10: 2,000 requests, so the fan-out lasts long enough for the kill to land inside it.
      { ...baseBroadcasterEnv(), ...peers.env, ...CLUSTER_APP_ENV, ...appTopics, LOG_LEVEL: 'info', GRAPHQL_PAGE_SIZE: String(PAGE_SIZE) },
      'cluster-controller',
    );
    await broadcaster.waitForOutput(/"msg":"broadcaster started"/, 60_000);
    const notifierEnv = fleetEnv({
      topic: peers.topic,
      sink,
      extra: { ...CLUSTER_APP_ENV, ...appTopics, KAFKA_TOPIC_BROADCASTS: peers.env.KAFKA_TOPIC_BROADCASTS!, LOG_LEVEL: 'info' },
    });
    notifierGroup = notifierEnv.KAFKA_CONSUMER_GROUP!;
    notifier = await startMember(notifierEnv);
    await joinedWithPartitions(notifier, 60_000);
  }, 180_000);

  afterAll(async () => {
    if (down) await startKafkaNode(victim);
    for (const proc of [notifier, broadcaster]) proc?.kill('SIGTERM');
    await Promise.all([notifier?.exited, broadcaster?.exited]);
    await webhooks?.stop();
    await sink?.stop();
    await peers?.stop();
  });

  it('delivers every subscriber one SMS and the client the true count once, through a controller failover', async () => {
    const pids = { webhooks: webhooks.proc.pid, broadcaster: broadcaster.pid, notifier: notifier.pid };
    const store = peers.gateway.store;
    const client = store.addClient({ name: 'Controller Kill Shop', phoneNumber: CLIENT_PHONE, locale: 'en-US' });
    activate(store, client);
    store.seedSubscribers(client.id, SUBSCRIBERS, { phonePrefix: '+1777', localeOf: () => 'en-US' });
    const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => `+1777${String(i).padStart(7, '0')}`);
    const text = `Controller kill sale ${Date.now()}`;
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, text))).status).toBe(200);

    peers.gateway.resetPageRequests();
    const subscriberPages = () => peers.gateway.pageRequests().filter((r) => r.coordinate.endsWith('.subscribers')).length;
    const confirmStarted = Date.now();
    const confirm = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'));
    const confirmMs = Date.now() - confirmStarted;

    // The kill strikes mid-fan-out, once part of it is committed (the notifier reads committed records only).
    await until(() => subscriberPages() >= PAGES_BEFORE_KILL, 180_000, `${PAGES_BEFORE_KILL} subscriber pages read`);
    await sink.waitFor((s) => s.messages.length >= DELIVERED_BEFORE_KILL, 180_000, `${DELIVERED_BEFORE_KILL} SMS of the broadcast`);
    const controller = await activeControllerIndex();
    victim = controller.index;
    const victimId = kafkaNodes()[victim]!.id;
    const killedAt = Date.now();
    const pid = await killKafkaNode(victim, 'SIGKILL');
    down = true;
    const pagesAtKill = subscriberPages();
    const completedAtKill = BROADCAST_COMPLETED.test(broadcaster.output());
    const deliveredAtKill = sink.messages.length;
    const elected = await untilNewController(victim, controller.epoch, 120_000);
    const downDueIn = killedAt + DOWN_MS - Date.now();
    if (downDueIn > 0) await new Promise((resolve) => setTimeout(resolve, downDueIn)); // the fault's length, not a synchronisation
    const restartStarted = Date.now();
    await startKafkaNode(victim);
    down = false;
    const restartedAt = Date.now();

    const completionSms = confirm.message === catalogText('AnnouncementSending', 'en-US') ? 1 : 0;
    const recipients = [...subscribers, ...(completionSms ? [CLIENT_PHONE] : [])];
    if (completionSms) await sink.waitFor((s) => s.messages.some((m) => m.to === CLIENT_PHONE), 300_000, 'the completion SMS');
    await untilAllCommitted(kafka, notifierGroup, peers.topic, 300_000);
    const inSyncAt = await untilFullyInSync(kafka, peers.topic, 120_000);
    const counts = sinkCounts(sink, recipients);
    const toClient = sink.messages.filter((m) => m.to === CLIENT_PHONE);
    const deadLettered = await recordsIn(topics.deadletter);
    const times = sink.messages.map((m) => m.receivedAt);
    const stall = longestGapWindow(times, killedAt);
    const lastAt = Math.max(...times);
    const duplicates = await explainDuplicates(sink, peers.topic, recipients, (to) =>
      to === CLIENT_PHONE ? 'client' : `subscriber ${subscribers.indexOf(to)}`,
    );
    // Copies of a SendSms in Kafka are not an error (the notifier sends a copy once); this says how often they happen.
    const copies = await kafkaCopies(peers.topic, subscribers, (to) => `subscriber ${subscribers.indexOf(to)}`);
    const figures = {
      scenario: 'cluster:controller-kill',
      sent: recipients.length,
      delivered: counts.delivered,
      duplicated: counts.duplicated,
      lost: counts.missing.length,
      deadLettered,
      maxLatencyMs: lastAt - confirmStarted,
      killedController: victimId,
      newController: kafkaNodes()[elected.index]!.id,
      subscriberPagesAtKill: pagesAtKill,
      broadcastCompletedAtKill: completedAtKill,
      subscriberPages: subscriberPages(),
      deliveredAtKill,
      confirmReply: confirm.message,
      confirmMs,
      completionSms: toClient.length,
      // The longest time without an SMS accepted by Twilio, from the kill on.
      longestStallMs: stall.ms,
      longestStallBeganAfterKillMs: stall.beganAfterMs,
      // From the kill until the surviving nodes named a new active controller.
      recoveryMs: elected.at - killedAt,
      firstSmsAfterElectionMs: (firstAtOrAfter(times, elected.at) ?? NaN) - elected.at,
      nodeRestartMs: restartedAt - restartStarted,
      backInSyncAfterRestartMs: inSyncAt - restartedAt,
      broadcastMs: lastAt - confirmStarted,
      notifierDuplicatesSkipped: statOf(notifier, 'duplicate'),
      notifierAbandoned: statOf(notifier, 'abandoned'),
      kafkaCopies: copies,
      ...(duplicates.length ? { duplicates } : {}),
      samePids:
        webhooks.proc.pid === pids.webhooks &&
        broadcaster.pid === pids.broadcaster &&
        notifier.pid === pids.notifier &&
        [webhooks.proc.child, broadcaster.child, notifier.child].every((c) => c.exitCode === null),
    };
    reportFigures('faults', figures);

    expect(pid).toBeGreaterThan(0);
    // The kill landed mid-fan-out: the broadcaster had not finished it (reading every page is not
    // enough: its last transactions may still be open), and it finished later.
    expect(completedAtKill).toBe(false);
    expect(deliveredAtKill).toBeLessThan(SUBSCRIBERS);
    expect(BROADCAST_COMPLETED.test(broadcaster.output())).toBe(true);
    expect(elected.index).not.toBe(victim);
    expect(counts.missing).toEqual([]);
    expect(counts.duplicated).toBe(0);
    expect(sink.messages).toHaveLength(recipients.length);
    expect([
      catalogText('AnnouncementSent', 'en-US', { count: String(SUBSCRIBERS) }),
      catalogText('AnnouncementSending', 'en-US'),
    ]).toContain(confirm.message);
    expect(toClient.map((m) => m.body)).toEqual(
      Array(completionSms).fill(catalogText('AnnouncementSent', 'en-US', { count: String(SUBSCRIBERS) })),
    );
    expect(deadLettered).toBe(0);
    expect(figures.samePids).toBe(true);
    expect(stackTraceLines(webhooks.proc).slice(0, 3)).toEqual([]);
    expect(leakedPhoneNumbers(notifier.output() + broadcaster.output() + webhooks.proc.output())).toEqual([]);
  });

  /** Waits until the quorum names an active controller other than node `victim`, at a later epoch; returns it and when. */
  async function untilNewController(victimIndex: number, epoch: number, timeoutMs: number): Promise<{ index: number; at: number }> {
    let found = { index: -1, at: 0 };
    await until(
      async () => {
        const now = await activeControllerIndex(timeoutMs).catch(() => undefined);
        if (!now || now.index === victimIndex || now.epoch <= epoch) return false;
        found = { index: now.index, at: Date.now() };
        return true;
      },
      timeoutMs,
      'a new active controller',
    );
    return found;
  }

  /** Records in `topic` (0 when it was never created): the sum of the high watermarks. */
  async function recordsIn(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }
});
