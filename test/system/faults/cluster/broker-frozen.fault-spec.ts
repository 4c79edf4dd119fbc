// Cluster scenario 3, one broker frozen: SIGSTOP for 30 s, then SIGCONT, while both apps run mixed
// traffic: Stripe events to the webhooks app, inbound SMS (HELP every second, and a client's
// announcement confirmed during the freeze, fanned out by the broadcaster), and SendSms written
// the C# way (constant key, so one partition, led by the frozen node) for the notifier. A frozen
// node is worse than a dead one for its clients: it accepts connections and answers nothing, so
// they wait for their request timeouts, and the cluster only fences it once its broker session
// expires. Every SMS must reach Twilio once, every Stripe event be applied once, and the node
// rejoin by itself after the thaw.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { partitionOfKey } from '@app/shared/kafka/murmur2-partitioner.js';
import { startTwilioSink, type TwilioSink } from '../../../../peers/twilio-sink/twilio-sink.js';
import { spawnBroadcaster, type AppProcess } from '../../../support/app-process.js';
import { baseBroadcasterEnv } from '../../../support/broadcaster-app.js';
import { reportFigures } from '../../../support/figures.js';
import { freezeKafkaNode, kafkaNodes, thawKafkaNode, uniqueName } from '../../../support/stack.js';
import { SEND_SMS_KEY, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, until } from '../../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../../support/notifier/fleet.js';
import { untilAllCommitted } from '../../../support/notifier/kafka.js';
import { leakedPhoneNumbers, sinkCounts } from '../../../support/faults/notifier-faults.js';
import { stackTraceLines, startWebhooksProcess, type RetryPolicy, type WebhooksProcess } from '../../../support/faults/webhooks-process.js';
import { activate, catalogText, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../../support/twilio/twilio-support.js';
import {
  activeControllerIndex,
  CLUSTER_APP_ENV,
  clusterKafka,
  createReplicatedTopic,
  ensureReplicatedTopics,
  firstAtOrAfter,
  longestGapAfter,
  longestGapWindow,
  metadataKafka,
  partitionStates,
  requireCluster,
  untilFullyInSync,
  untilLeadershipMoved,
} from '../../../support/cluster/cluster.js';
import {
  CsharpSendSmsStream,
  explainDuplicates,
  kafkaCopies,
  InboundHelpStream,
  StripeEventStream,
  stripeEffects,
} from '../../../support/cluster/mixed-traffic.js';

jest.setTimeout(420_000);

const FREEZE_MS = 30_000;
const PARTITIONS = 6;
const CSHARP_PER_SECOND = 40;
const STRIPE_EVERY_MS = 250;
const HELP_EVERY_MS = 1_000;
const SUBSCRIBERS = 3_000;
/** Subscriber pages (50 each) the broadcaster has read when the node is frozen: the fan-out is under way. */
const PAGES_BEFORE_FREEZE = 5;
/** Traffic after the thaw, so the streams run through the node's return too. */
const AFTER_THAW_MS = 10_000;
const CLIENT_PHONE = '+16660003001';
/** Stripe's retries, compressed: enough for an answer that waits out a frozen leader (~15 s) several times. */
const STRIPE_RETRIES: RetryPolicy = { baseMs: 200, maxMs: 3_000, maxAttempts: 60 };

describe('cluster scenario 3: one broker frozen (SIGSTOP 30 s, then SIGCONT) under mixed traffic of both apps', () => {
  const base = uniqueName('frozen');
  const topics = { payments: `${base}-payments`, foreignProducts: `${base}-foreign-products`, deadletter: `${base}-deadletter` };
  let kafka: Kafka;
  let peers: TwilioPeers;
  let sink: TwilioSink;
  let webhooks: WebhooksProcess;
  let broadcaster: AppProcess;
  let notifier: AppProcess;
  let notifierGroup: string;
  let victim: number;
  let frozen = false;

  beforeAll(async () => {
    requireCluster();
    kafka = clusterKafka();
    // The frozen node is not the active controller: this scenario is about a broker that stops
    // answering (a long GC pause, a hung disk); a controller failover is scenario C2's.
    victim = ((await activeControllerIndex()).index + 1) % kafkaNodes().length;
    peers = await startTwilioPeers('frozen');
    // The C# partition (constant key) is led by the frozen node; the others rotate over the nodes.
    const csharpPartition = partitionOfKey(SEND_SMS_KEY, PARTITIONS);
    const nodes = kafkaNodes().length;
    await createReplicatedTopic(kafka, peers.topic, PARTITIONS, (p) => (((p - csharpPartition + victim) % nodes) + nodes) % nodes);
    await ensureReplicatedTopics(kafka, [peers.env.KAFKA_TOPIC_BROADCASTS!, ...Object.values(topics)]);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 20 });
    const appTopics = {
      KAFKA_TOPIC_PAYMENTS: topics.payments,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
      KAFKA_TOPIC_DEADLETTER: topics.deadletter,
    };
    webhooks = await startWebhooksProcess({ ...peers.env, ...CLUSTER_APP_ENV, ...appTopics }, 'cluster-frozen');
    broadcaster = await spawnBroadcaster(
      { ...baseBroadcasterEnv(), ...peers.env, ...CLUSTER_APP_ENV, ...appTopics, LOG_LEVEL: 'info' },
      'cluster-frozen',
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
    if (frozen) await thawKafkaNode(victim);
    for (const proc of [notifier, broadcaster]) proc?.kill('SIGTERM');
    await Promise.all([notifier?.exited, broadcaster?.exited]);
    await webhooks?.stop();
    await sink?.stop();
    await peers?.stop();
  });

  it('loses and duplicates nothing, keeps answering, and takes the node back after the thaw', async () => {
    const victimId = kafkaNodes()[victim]!.id;
    const pids = { webhooks: webhooks.proc.pid, broadcaster: broadcaster.pid, notifier: notifier.pid };
    const store = peers.gateway.store;
    const client = store.addClient({ name: 'Frozen Broker Shop', phoneNumber: CLIENT_PHONE, locale: 'en-US' });
    activate(store, client);
    store.seedSubscribers(client.id, SUBSCRIBERS, { phonePrefix: '+1777', localeOf: () => 'en-US' });
    const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => `+1777${String(i).padStart(7, '0')}`);
    const before = await partitionStates(kafka, peers.topic);
    const csharpPartition = partitionOfKey(SEND_SMS_KEY, PARTITIONS);
    expect(before[csharpPartition]!.leader).toBe(victimId);

    const csharp = new CsharpSendSmsStream(kafka, peers.topic, 0);
    const stripe = new StripeEventStream(webhooks.stripeEndpoint, store, STRIPE_RETRIES);
    const help = new InboundHelpStream(webhooks.url, CLIENT_PHONE);
    await csharp.start(CSHARP_PER_SECOND);
    stripe.start(STRIPE_EVERY_MS);
    help.start(HELP_EVERY_MS);
    // Traffic flowing through every app before the fault.
    await sink.waitFor((s) => s.messages.length >= 100, 60_000, 'the first 100 SMS');
    await until(() => stripe.ackTimes.length >= 10 && help.answers.length >= 3, 60_000, 'the first Stripe and HELP answers');
    const text = `Frozen broker sale ${Date.now()}`;
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, text))).status).toBe(200);

    // The freeze strikes while the broadcaster pages through the subscribers and writes their SendSms.
    peers.gateway.resetPageRequests();
    const confirming = confirmUntilRecorded();
    const subscriberPages = () => peers.gateway.pageRequests().filter((r) => r.coordinate.endsWith('.subscribers')).length;
    await until(() => subscriberPages() >= PAGES_BEFORE_FREEZE, 60_000, `${PAGES_BEFORE_FREEZE} subscriber pages read by the broadcaster`);
    const frozenAt = Date.now();
    const pid = await freezeKafkaNode(victim);
    frozen = true;
    const pagesAtFreeze = subscriberPages();
    const confirm = await confirming;
    const movedAt = await untilLeadershipMoved(metadataKafka(victim), peers.topic, victimId, 60_000);
    const during = await partitionStates(metadataKafka(victim), peers.topic);
    const thawDueIn = frozenAt + FREEZE_MS - Date.now();
    if (thawDueIn > 0) await new Promise((resolve) => setTimeout(resolve, thawDueIn)); // the fault's length, not a synchronisation
    await thawKafkaNode(victim);
    frozen = false;
    const thawedAt = Date.now();
    const inSyncAt = await untilFullyInSync(kafka, peers.topic, 120_000);
    const afterThawDueIn = thawedAt + AFTER_THAW_MS - Date.now();
    if (afterThawDueIn > 0) await new Promise((resolve) => setTimeout(resolve, afterThawDueIn)); // traffic after the thaw
    await Promise.all([csharp.stop(), stripe.stop(), help.stop()]);

    const completionSms = confirm.reply === catalogText('AnnouncementSending', 'en-US') ? 1 : 0;
    // The completion SMS goes to the client when the reply was "sending".
    const recipients = [...csharp.recipients, ...subscribers, ...(completionSms ? [CLIENT_PHONE] : [])];
    // Everything that will reach Twilio has once the broadcast is over (its completion SMS, or the
    // reply's count) and the notifier has committed the topic to its end.
    if (completionSms) await sink.waitFor((s) => s.messages.some((m) => m.to === CLIENT_PHONE), 180_000, 'the completion SMS');
    await untilAllCommitted(kafka, notifierGroup, peers.topic, 180_000);
    const counts = sinkCounts(sink, recipients);
    const toClient = sink.messages.filter((m) => m.to === CLIENT_PHONE);
    const effects = await stripeEffects(stripe.deliveries, topics.foreignProducts, peers.gateway);
    const deadLettered = await recordsIn(topics.deadletter);
    const inCsharpPartition = await recordsIn(peers.topic, csharpPartition);
    const stripeAckMs = stripe.deliveries.map((d) => (d.ackedAt ?? Infinity) - d.startedAt);
    const duplicates = await explainDuplicates(sink, peers.topic, recipients, (to) =>
      to === CLIENT_PHONE
        ? 'client'
        : subscribers.includes(to)
          ? `subscriber ${subscribers.indexOf(to)}`
          : `csharp ${csharp.recipients.indexOf(to)}`,
    );
    // Copies of a broadcast SendSms in Kafka are not an error (the notifier sends a copy once); this says how often they happen.
    const copies = await kafkaCopies(peers.topic, subscribers, (to) => `subscriber ${subscribers.indexOf(to)}`);
    const smsStall = longestGapWindow(
      sink.messages.map((m) => m.receivedAt),
      frozenAt,
    );
    const figures = {
      scenario: 'cluster:broker-frozen',
      sent: recipients.length + stripe.deliveries.length,
      delivered: counts.delivered + stripe.deliveries.length - effects.lost.length,
      duplicated: counts.duplicated + effects.duplicated,
      lost: counts.missing.length + effects.lost.length,
      deadLettered,
      maxLatencyMs: Math.max(...stripeAckMs),
      frozenNode: victimId,
      csharpSms: csharp.written.length,
      csharpResends: csharp.resends,
      broadcastSms: SUBSCRIBERS,
      subscriberPagesAtFreeze: pagesAtFreeze,
      subscribersLost: subscribers.filter((to) => !sink.countByTo().has(to)).length,
      confirmReply: confirm.reply,
      confirmAttempts: confirm.attempts,
      confirmMs: confirm.ms,
      completionSms: toClient.length,
      stripeEvents: stripe.deliveries.length,
      stripeNon2xxAnswers: stripe.deliveries.reduce((n, d) => n + d.statuses.filter((s) => s < 200 || s >= 300).length, 0),
      stripeSlowestAckMs: Math.max(...stripeAckMs),
      stripeRepeatedGatewayPatches: effects.repeatedPatches,
      ...(effects.explained.length ? { stripeNotOnce: effects.explained } : {}),
      helpRequests: help.answers.length,
      helpNon200: help.answers.filter((a) => a.status !== 200).length,
      helpSlowestMs: Math.max(...help.answers.map((a) => a.ms)),
      // The longest time without an SMS accepted by Twilio / a Stripe event acknowledged, from the freeze on.
      longestStallMs: smsStall.ms,
      longestStallBeganAfterFreezeMs: smsStall.beganAfterMs,
      longestStripeAckGapMs: longestGapAfter(stripe.ackTimes, frozenAt),
      // From the freeze until the metadata named new leaders for every partition the node led.
      recoveryMs: movedAt - frozenAt,
      firstSmsAfterFailoverMs:
        (firstAtOrAfter(
          sink.messages.map((m) => m.receivedAt),
          movedAt,
        ) ?? NaN) - movedAt,
      backInSyncAfterThawMs: inSyncAt - thawedAt,
      notifierDuplicatesSkipped: statOf(notifier, 'duplicate'),
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
    expect(pagesAtFreeze).toBeLessThan(SUBSCRIBERS / 50);
    // Every C# SendSms went to the frozen node's partition (a resent one may be there twice).
    expect(inCsharpPartition).toBeGreaterThanOrEqual(csharp.written.length);
    expect(counts.missing).toEqual([]);
    expect(counts.duplicated).toBe(0);
    expect(effects.lost).toEqual([]);
    expect(effects.publishedTwice).toEqual([]);
    expect(toClient.map((m) => m.body)).toEqual(
      Array(completionSms).fill(catalogText('AnnouncementSent', 'en-US', { count: String(SUBSCRIBERS) })),
    );
    expect(sink.messages).toHaveLength(recipients.length);
    expect(deadLettered).toBe(0);
    expect(stripe.deliveries.every((d) => d.ackedAt !== undefined)).toBe(true);
    expect(figures.helpNon200).toBe(0);
    // The reply is the true count or "sending" (then the count came by SMS), never a failure.
    expect([
      catalogText('AnnouncementSent', 'en-US', { count: String(SUBSCRIBERS) }),
      catalogText('AnnouncementSending', 'en-US'),
    ]).toContain(confirm.reply);
    // The freeze struck mid-stream: SMS and Stripe events kept coming after the thaw, and the
    // frozen node really lost its partitions.
    expect(sink.messages.some((m) => m.receivedAt > thawedAt)).toBe(true);
    expect(stripe.ackTimes.some((t) => t > thawedAt)).toBe(true);
    expect(during.every((p) => p.leader !== victimId && p.leader > 0)).toBe(true);
    expect(figures.samePids).toBe(true);
    expect(stackTraceLines(webhooks.proc).slice(0, 3)).toEqual([]);
    expect(leakedPhoneNumbers(notifier.output() + broadcaster.output() + webhooks.proc.output())).toEqual([]);
  });

  /** The client texts CONFIRM, and again after an error reply (Twilio does not retry an answered SMS). */
  async function confirmUntilRecorded(): Promise<{ reply: string | null; attempts: number; ms: number }> {
    const errorText = /^Sorry, something went wrong: ref [0-9a-f]{8}$/;
    const started = Date.now();
    for (let attempts = 1; ; attempts++) {
      const answer = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'));
      if (!errorText.test(answer.message ?? '') || attempts >= 20) return { reply: answer.message, attempts, ms: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the client's pause before texting again
    }
  }

  /** Records in `topic` (or in one of its partitions): the sum of the high watermarks. */
  async function recordsIn(topic: string, partition?: number): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    return offsets.filter((p) => partition === undefined || p.partition === partition).reduce((sum, p) => sum + Number(p.high), 0);
  }
});
