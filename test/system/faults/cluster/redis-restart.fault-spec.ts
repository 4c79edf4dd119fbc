// Cluster scenario 4, Redis restarted: the stack's Redis (AOF, appendfsync everysec) is SIGKILLed
// while the notifier delivers C#-written SendSms and Stripe events arrive at the webhooks app,
// stays down a few seconds (a supervisor's restart), and comes back from its append-only file.
// Both ledgers live in it: the notifier's delivery ledger (claim, then `sent`) and the Stripe
// event dedupe (`processing`, then `done`). Neither app is restarted.
//
// What a SIGKILL of Redis can lose: Redis writes each command to the AOF (the kernel's page cache)
// before it answers, and a killed process loses nothing the kernel has. The exception is a write
// Redis answered while it postponed its AOF write behind a background fsync still running (at most
// ~2 s of writes, only when fsync is slow); a machine crash loses up to ~1 s more (the page cache).
// So the promise tested here: every ledger write acknowledged more than WINDOW_MS before the kill,
// and every one after the restart, is there; an event written again (a producer's retry, a Stripe
// redelivery, a replay) is then skipped. The events of the window around the kill are written again
// too, and what they did is reported, not asserted.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../../peers/twilio-sink/twilio-sink.js';
import { startGatewayPeers, type GatewayPeers } from '../../../support/gateway-peers.js';
import type { AppProcess } from '../../../support/app-process.js';
import { reportFigures } from '../../../support/figures.js';
import { signalComponent, startComponent, uniqueName } from '../../../support/stack.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, until } from '../../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../../support/notifier/fleet.js';
import { untilAllCommitted } from '../../../support/notifier/kafka.js';
import { firstAcceptedAt, leakedPhoneNumbers, sinkCounts } from '../../../support/faults/notifier-faults.js';
import { stackTraceLines, startWebhooksProcess, type RetryPolicy, type WebhooksProcess } from '../../../support/faults/webhooks-process.js';
import { outcomeOf } from '../../../support/stripe/stripe-harness.js';
import {
  CLUSTER_APP_ENV,
  clusterKafka,
  ensureReplicatedTopics,
  firstAtOrAfter,
  longestGapWindow,
  redisKeysUnder,
  redisPersistence,
  requireCluster,
  untilRedisAnswers,
} from '../../../support/cluster/cluster.js';
import {
  CsharpSendSmsStream,
  explainDuplicates,
  StripeEventStream,
  stripeEffects,
  writeAgain,
  type StripeDelivery,
  type WrittenSendSms,
} from '../../../support/cluster/mixed-traffic.js';

jest.setTimeout(600_000);

const CSHARP_PER_SECOND = 100;
const STRIPE_EVERY_MS = 200;
/** How long Redis stays down: long enough that the notifier gives up recording some deliveries. */
const REDIS_DOWN_MS = 5_000;
const AFTER_RESTART_MS = 10_000;
/** Writes acknowledged this long before the kill are on the kernel's side whatever fsync did (see the header). */
const WINDOW_MS = 3_000;
/** Stripe's retries, compressed, and long enough to outlast an event's 120 s processing lease. */
const STRIPE_RETRIES: RetryPolicy = { baseMs: 200, maxMs: 3_000, maxAttempts: 90 };

describe('cluster scenario 4: Redis SIGKILLed and restarted from its AOF under SMS delivery and Stripe events', () => {
  const base = uniqueName('redis-restart');
  const topics = {
    notifications: `${base}-notifications`,
    payments: `${base}-payments`,
    foreignProducts: `${base}-foreign-products`,
    deadletter: `${base}-deadletter`,
    broadcasts: `${base}-broadcasts`,
  };
  const webhooksPrefix = `${base}:`;
  let kafka: Kafka;
  let peers: GatewayPeers;
  let sink: TwilioSink;
  let webhooks: WebhooksProcess;
  let notifier: AppProcess;
  let notifierEnv: Record<string, string>;

  beforeAll(async () => {
    requireCluster();
    expect(await redisPersistence('aof_enabled')).toBe('1');
    kafka = clusterKafka();
    await ensureReplicatedTopics(kafka, Object.values(topics));
    peers = await startGatewayPeers();
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, latencyMs: 20 });
    const appTopics = {
      KAFKA_TOPIC_NOTIFICATIONS: topics.notifications,
      KAFKA_TOPIC_PAYMENTS: topics.payments,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
      KAFKA_TOPIC_DEADLETTER: topics.deadletter,
      KAFKA_TOPIC_BROADCASTS: topics.broadcasts,
    };
    webhooks = await startWebhooksProcess(
      { ...peers.env, ...CLUSTER_APP_ENV, ...appTopics, REDIS_KEY_PREFIX: webhooksPrefix },
      'cluster-redis-restart',
    );
    notifierEnv = fleetEnv({ topic: topics.notifications, sink, extra: { ...CLUSTER_APP_ENV, ...appTopics, LOG_LEVEL: 'info' } });
    notifier = await startMember(notifierEnv);
    await joinedWithPartitions(notifier, 60_000);
  }, 180_000);

  afterAll(async () => {
    await startComponent('redis'); // no-op when running
    notifier?.kill('SIGTERM');
    await notifier?.exited;
    await webhooks?.stop();
    await sink?.stop();
    await peers?.stop();
  });

  it('keeps both ledgers: nothing sent twice, no Stripe event applied twice, whatever is written again', async () => {
    const pids = { webhooks: webhooks.proc.pid, notifier: notifier.pid };
    const csharp = new CsharpSendSmsStream(kafka, topics.notifications, 0);
    const stripe = new StripeEventStream(webhooks.stripeEndpoint, peers.gateway.store, STRIPE_RETRIES);
    await csharp.start(CSHARP_PER_SECOND);
    stripe.start(STRIPE_EVERY_MS);
    await sink.waitFor((s) => s.messages.length >= 500, 60_000, 'the first 500 SMS');
    await until(() => stripe.ackTimes.length >= 20, 60_000, 'the first Stripe acknowledgements');

    const ledgerKeysBeforeKill = await redisKeysUnder(`${notifierEnv.REDIS_KEY_PREFIX}notifier:sms:`);
    const killedAt = Date.now();
    const redisPid = await signalComponent('redis', 'SIGKILL');
    // Down while a supervisor would wait and restart it; traffic keeps coming meanwhile.
    await new Promise((resolve) => setTimeout(resolve, REDIS_DOWN_MS));
    const restartAt = Date.now();
    await startComponent('redis');
    const answersAt = await untilRedisAnswers(60_000);
    const ledgerKeysAfterRestart = await redisKeysUnder(`${notifierEnv.REDIS_KEY_PREFIX}notifier:sms:`);
    await new Promise((resolve) => setTimeout(resolve, AFTER_RESTART_MS)); // traffic after the restart
    await Promise.all([csharp.stop(), stripe.stop()]);
    await untilAllCommitted(kafka, notifierEnv.KAFKA_CONSUMER_GROUP!, topics.notifications, 180_000);

    const recipients = csharp.recipients;
    const counts = sinkCounts(sink, recipients);
    const live = await stripeEffects(stripe.deliveries, topics.foreignProducts, peers.gateway);
    const smsAt = sink.messages.map((m) => m.receivedAt);
    const stall = longestGapWindow(smsAt, killedAt);
    const recordsGivenUp = (notifier.output().match(/SMS sent but its delivery could not be recorded/g) ?? []).length;
    // A Stripe event applied twice by the live traffic: its first delivery was past its publish when
    // Redis went away, so its `done` mark was never written (see docs/reliability.md, C4).
    const appliedTwice = stripe.deliveries.filter((d) => live.publishedTwice.includes(d.productId));
    const inFlightAtKill = (d: StripeDelivery) => d.startedAt < killedAt && d.statuses[0] !== 200;

    // Written again: every SendSms and every Stripe event, split by when its ledger write happened.
    const accepted = firstAcceptedAt(sink);
    const promised = (at: number | undefined) => at !== undefined && (at < killedAt - WINDOW_MS || at > answersAt);
    const smsPromised = csharp.written.filter((w) => promised(accepted.get(w.to)));
    const smsWindow = csharp.written.filter((w) => !promised(accepted.get(w.to)));
    const stripePromised = stripe.deliveries.filter((d) => promised(d.ackedAt) && !appliedTwice.includes(d));
    const stripeWindow = stripe.deliveries.filter((d) => !promised(d.ackedAt) && !appliedTwice.includes(d));

    const promisedReplay = await writeAgainAndCount(smsPromised, stripePromised);
    const windowReplay = await writeAgainAndCount(smsWindow, stripeWindow);
    const duplicates = await explainDuplicates(sink, topics.notifications, recipients, (to) => `csharp ${recipients.indexOf(to)}`);

    const figures = {
      scenario: 'cluster:redis-restarted',
      sent: recipients.length + stripe.deliveries.length,
      delivered: counts.delivered + stripe.deliveries.length - live.lost.length,
      duplicated: counts.duplicated + live.duplicated,
      lost: counts.missing.length + live.lost.length,
      deadLettered: await recordsIn(topics.deadletter),
      maxLatencyMs: Math.max(...stripe.deliveries.map((d) => (d.ackedAt ?? Infinity) - d.startedAt)),
      csharpSms: recipients.length,
      stripeEvents: stripe.deliveries.length,
      redisPid,
      redisDownMs: answersAt - killedAt,
      redisLoadMs: answersAt - restartAt,
      ledgerKeysBeforeKill,
      ledgerKeysAfterRestart,
      // The longest time without an SMS accepted by Twilio from the kill on, and when it began.
      longestStallMs: stall.ms,
      longestStallBeganAfterKillMs: stall.beganAfterMs,
      // From Redis answering again to the first SMS / Stripe acknowledgement after it.
      recoveryMs: Math.max(firstAfter(smsAt, answersAt), firstAfter(stripe.ackTimes, answersAt)),
      smsRecoveryMs: firstAfter(smsAt, answersAt),
      stripeRecoveryMs: firstAfter(stripe.ackTimes, answersAt),
      stripeNon2xxAnswers: stripe.deliveries.reduce((n, d) => n + d.statuses.filter((s) => s < 200 || s >= 300).length, 0),
      stripeAppliedTwice: appliedTwice.length,
      stripeAppliedTwiceInFlightAtKill: appliedTwice.filter(inFlightAtKill).length,
      ...(live.explained.length ? { stripeNotOnce: live.explained } : {}),
      notifierRecordsGivenUp: recordsGivenUp,
      notifierFoundInProviderLog: statOf(notifier, 'foundInProviderLog'),
      promisedReplay,
      windowReplay,
      samePids: webhooks.proc.pid === pids.webhooks && notifier.pid === pids.notifier && notifier.child.exitCode === null,
      ...(duplicates.length ? { duplicates } : {}),
    };
    reportFigures('faults', figures);

    expect(counts.missing).toEqual([]);
    expect(counts.duplicated).toBe(0);
    expect(live.lost).toEqual([]);
    expect(stripe.deliveries.every((d) => d.ackedAt !== undefined)).toBe(true);
    // The one window the design leaves in the live traffic, exactly as stated.
    expect(appliedTwice.filter((d) => !inFlightAtKill(d))).toEqual([]);
    // The ledgers survived: what was recorded outside the window is found, nothing goes out again.
    expect(promisedReplay.sms).toBeGreaterThan(0);
    expect(promisedReplay.smsSentAgain).toBe(0);
    expect(promisedReplay.stripe).toBeGreaterThan(0);
    expect(promisedReplay.stripeAnswers).toEqual({ duplicate: promisedReplay.stripe });
    expect(promisedReplay.stripeAppliedAgain).toBe(0);
    // The kill struck mid-stream and both apps rode it out.
    expect(redisPid).toBeGreaterThan(0);
    expect(smsAt.some((t) => t > answersAt)).toBe(true);
    expect(stripe.ackTimes.some((t) => t > answersAt)).toBe(true);
    expect(figures.samePids).toBe(true);
    expect(stackTraceLines(webhooks.proc).slice(0, 3)).toEqual([]);
    expect(leakedPhoneNumbers(notifier.output() + webhooks.proc.output())).toEqual([]);
  });

  const firstAfter = (times: number[], from: number) => (firstAtOrAfter(times, from) ?? NaN) - from;

  /**
   * Writes the SendSms records again and delivers the Stripe events again, then counts what went
   * out a second time: SMS at the sink, Stripe answers, gateway patches and Kafka records.
   */
  async function writeAgainAndCount(sms: readonly WrittenSendSms[], events: readonly StripeDelivery[]) {
    const smsBefore = sink.messages.length;
    const recordsBefore = await recordsIn(topics.foreignProducts);
    const patchesBefore = peers.gateway.mutations.length;
    await writeAgain(kafka, topics.notifications, sms);
    const stripeAnswers: Record<string, number> = {};
    for (const delivery of events) {
      const answer = await StripeEventStream.deliverAgain(webhooks.stripeEndpoint, delivery);
      const outcome = answer.status === 200 ? outcomeOf(answer) : `status ${answer.status}`;
      stripeAnswers[outcome] = (stripeAnswers[outcome] ?? 0) + 1;
    }
    await untilAllCommitted(kafka, notifierEnv.KAFKA_CONSUMER_GROUP!, topics.notifications, 180_000);
    return {
      sms: sms.length,
      smsSentAgain: sink.messages.length - smsBefore,
      stripe: events.length,
      stripeAnswers,
      stripeAppliedAgain: (await recordsIn(topics.foreignProducts)) - recordsBefore,
      gatewayPatchesAgain: peers.gateway.mutations.length - patchesBefore,
    };
  }

  async function recordsIn(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  }
});
