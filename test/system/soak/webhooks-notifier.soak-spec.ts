// Issue 16: a soak. The three BUILT apps as child processes (webhooks, the broadcaster that fans a
// CONFIRM out, the notifier) take SOAK_MINUTES (default 10) of mixed traffic: signed Stripe events,
// inbound SMS (HELP, and a draft + CONFIRM broadcast every 30 s), and C#-written SendSms on Kafka.
// Every 10 s each app's RSS, post-GC heap (over the inspector), open file descriptors and
// event-loop delay p99 are sampled. The run fails if a series climbs (test/support/soak/trend.ts
// states the rule), if any request is answered other than expected, or if any SMS is lost or sent
// twice (each subscriber once per broadcast; the client the count of a broadcast once, by the
// CONFIRM reply or by SMS).
import { jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { rssMbOf } from '../../support/fuzz/fuzz-target.js';
import { scrape } from '../../support/metrics/scrape.js';
import { untilAllDelivered } from '../../support/faults/notifier-faults.js';
import { acceptedAs, startBroadcasterProcess, type BroadcasterProcess } from '../../support/faults/broadcaster-process.js';
import { startWebhooksProcess, type WebhooksProcess } from '../../support/faults/webhooks-process.js';
import { SEND_SMS_KEY, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, phone, sendSmsJson } from '../../support/notifier/events.js';
import { fleetEnv } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, produce, untilAllCommitted } from '../../support/notifier/kafka.js';
import { deliver } from '../../support/stripe/stripe-harness.js';
import { nowSeconds, productObject, stripeEvent } from '../../support/stripe/stripe-fixtures.js';
import { healthPortOf, spawnNotifier, type AppProcess } from '../../support/app-process.js';
import { reportFigures } from '../../support/figures.js';
import { connectInspector, INSPECT_NODE_OPTION, type Inspector } from '../../support/inspector.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { activate, sendSms, sms, startTwilioPeers, until, type TwilioPeers } from '../../support/twilio/twilio-support.js';
import { trendOf, type Sample, type TrendRule } from '../../support/soak/trend.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SAMPLE_EVERY_MS = 10_000;
const BROADCAST_EVERY_MS = 30_000;
const SUBSCRIBERS = 40;
/** Outside the C# recipients' numbers (phone(100_000) upwards) and the subscribers' (phone(900_000) upwards). */
const CLIENT_PHONE = phone(9_108_001);
/** What counts as climbing, per series (see trend.ts): MB/min and MB for memory, per minute for the rest. */
const RULES: Record<string, TrendRule> = {
  heapMb: { slopePerMinute: 0.25, rise: 2 },
  rssMb: { slopePerMinute: 2, rise: 30 },
  openFds: { slopePerMinute: 0.5, rise: 10 },
  eventLoopP99Ms: { slopePerMinute: 1, rise: 10 },
};

jest.setTimeout((MINUTES + 5) * 60_000);

interface Watched {
  name: 'webhooks' | 'broadcaster' | 'notifier';
  proc: AppProcess;
  inspector: Inspector;
  metricsUrl: string;
  series: Record<keyof typeof RULES, Sample[]>;
}

describe(`soak: ${MINUTES} minutes of mixed traffic`, () => {
  let peers: TwilioPeers;
  let sink: TwilioSink;
  let kafka: Kafka;
  let webhooks: WebhooksProcess;
  let broadcaster: BroadcasterProcess;
  let notifier: AppProcess;
  let notifierGroup: string;
  const watched: Watched[] = [];

  beforeAll(async () => {
    peers = await startTwilioPeers('soak');
    const store = peers.gateway.store;
    const client = store.addClient({ name: 'Soak Shop', slug: 'soak-shop', phoneNumber: CLIENT_PHONE, locale: 'en-US' });
    activate(store, client);
    for (let i = 0; i < SUBSCRIBERS; i++)
      store.addSubscriber({ phoneNumber: phone(900_000 + i), locale: i % 2 ? 'es-ES' : 'en-US', clientIds: [client.id] });
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, peers.topic, 6);
    const base = uniqueName('soak');
    webhooks = await startWebhooksProcess(
      {
        ...peers.env,
        LOCALIZATION_API_URL: '',
        KAFKA_TOPIC_PAYMENTS: `${base}-payments`,
        KAFKA_TOPIC_FOREIGN_PRODUCTS: `${base}-foreign-products`,
        KAFKA_TOPIC_DEADLETTER: `${base}-deadletter`,
        NODE_OPTIONS: INSPECT_NODE_OPTION,
      },
      'soak',
    );
    // peers.env carries the notifications and broadcasts topics, the fan-out group and the Redis prefix both share.
    broadcaster = await startBroadcasterProcess(
      { ...peers.env, KAFKA_TOPIC_DEADLETTER: `${base}-deadletter`, NODE_OPTIONS: INSPECT_NODE_OPTION },
      'soak',
    );
    const notifierEnv = fleetEnv({
      topic: peers.topic,
      sink,
      extra: { NOTIFIER_STATS_INTERVAL_MS: '0', NODE_OPTIONS: INSPECT_NODE_OPTION },
    });
    notifierGroup = notifierEnv.KAFKA_CONSUMER_GROUP!;
    notifier = await spawnNotifier(notifierEnv, 'soak');
    watched.push(await watch('webhooks', webhooks.proc, `${webhooks.internalUrl}/metrics`));
    watched.push(await watch('broadcaster', broadcaster.proc, `${broadcaster.healthUrl}/metrics`));
    watched.push(await watch('notifier', notifier, `http://127.0.0.1:${await healthPortOf(notifier)}/metrics`));
  });

  afterAll(async () => {
    for (const w of watched) await w.inspector.close();
    notifier?.kill('SIGTERM');
    await notifier?.exited;
    await broadcaster?.stop();
    await webhooks?.stop();
    await sink?.stop();
    await peers?.stop();
  });

  it('keeps memory, descriptors and event-loop delay flat, answers every request, and sends every SMS exactly once', async () => {
    const unexpected: string[] = [];
    const expectStatus = (what: string, status: number, wanted = 200) => void (status === wanted || unexpected.push(`${what}: ${status}`));
    const recipients: string[] = [];
    const started = Date.now();
    const minutes = () => (Date.now() - started) / 60_000;
    let nextSample = 0;
    let nextBroadcast = BROADCAST_EVERY_MS / 2;
    let broadcasts = 0;
    /** CONFIRMs answered "sending": the client gets the count of each by SMS instead. */
    let sendingReplies = 0;
    let tick = 0;

    while (Date.now() - started < MINUTES * 60_000) {
      const elapsed = Date.now() - started;
      if (elapsed >= nextSample) {
        await sampleAll(minutes());
        nextSample += SAMPLE_EVERY_MS;
      }
      if (elapsed >= nextBroadcast) {
        expectStatus('draft', (await sendSms(webhooks.url, sms(CLIENT_PHONE, `Soak sale ${broadcasts}`))).status);
        const confirm = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'));
        expectStatus('CONFIRM', confirm.status);
        if (acceptedAs(confirm.message) === 'sending') sendingReplies += 1;
        else if (confirm.message !== `Sent to ${SUBSCRIBERS} subscribers`) unexpected.push(`CONFIRM: ${confirm.message}`);
        broadcasts += 1;
        nextBroadcast += BROADCAST_EVERY_MS;
      }
      const csharp = Array.from({ length: 5 }, (_, i) => phone(100_000 + tick * 5 + i));
      recipients.push(...csharp);
      await Promise.all([
        produce(
          kafka,
          peers.topic,
          csharp.map((to) => ({ key: SEND_SMS_KEY, value: sendSmsJson(to, 'WelcomeMessage', tick % 2 ? 'es-ES' : 'en-US') })),
        ),
        // No plan linked, older than the not-yet-synced grace: dead-lettered (200), as every soak tick expects.
        deliver(webhooks.stripeEndpoint, stripeEvent('product.updated', productObject(), { created: nowSeconds() - 2 * 3600 })).then((d) =>
          expectStatus('stripe', d.status),
        ),
        sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP')).then((r) => expectStatus('HELP', r.status)),
      ]);
      tick += 1;
    }
    await sampleAll(minutes());

    const subscribers = new Set(Array.from({ length: SUBSCRIBERS }, (_, i) => phone(900_000 + i)));
    await untilAllDelivered(sink, recipients, 120_000);
    // The last broadcasts' fan-out and completion SMS, then the notifier's group committed to the
    // end of the topic: nothing is in flight, so a late duplicate can no longer appear.
    await until(
      () =>
        countOf(sink, (to) => subscribers.has(to)) >= broadcasts * SUBSCRIBERS &&
        countOf(sink, (to) => to === CLIENT_PHONE) >= sendingReplies,
      120_000,
      'every broadcast’s SMS',
    );
    await untilAllCommitted(kafka, notifierGroup, peers.topic, 120_000);
    // Each C# SendSms once; each subscriber once per broadcast; the client once per "sending" reply; nobody else.
    const csharp = new Set(recipients);
    const perCsharpRecipient = countByTo(sink, (to) => !subscribers.has(to) && to !== CLIENT_PHONE);
    const counts = {
      duplicated: [...perCsharpRecipient].reduce((a, [to, n]) => a + (csharp.has(to) ? n - 1 : n), 0),
      missing: recipients.filter((to) => !perCsharpRecipient.has(to)),
    };
    const perSubscriber = countByTo(sink, (to) => subscribers.has(to));
    const broadcastSms = [...perSubscriber.values()].reduce((a, n) => a + n, 0);
    const completionSms = sink.messages.filter((m) => m.to === CLIENT_PHONE);
    const verdicts = watched.flatMap((w) =>
      Object.entries(w.series).map(([series, samples]) => ({ app: w.name, series, ...trendOf(samples, RULES[series]!) })),
    );
    reportFigures('soak', {
      soak: 'webhooks+broadcaster+notifier',
      minutes: MINUTES,
      requests: tick * 2 + broadcasts * 2,
      csharpSms: recipients.length,
      broadcasts,
      broadcastSms,
      sendingReplies,
      completionSms: completionSms.length,
      duplicated: counts.duplicated,
      lost: counts.missing.length,
      unexpectedAnswers: unexpected.length,
      trends: verdicts.map((v) => ({
        app: v.app,
        series: v.series,
        slopePerMinute: round(v.slopePerMinute),
        rise: round(v.rise),
        climbing: v.climbing,
      })),
      first: Object.fromEntries(
        watched.map((w) => [w.name, Object.fromEntries(Object.entries(w.series).map(([k, s]) => [k, round(s[0]!.value)]))]),
      ),
      last: Object.fromEntries(
        watched.map((w) => [w.name, Object.fromEntries(Object.entries(w.series).map(([k, s]) => [k, round(s.at(-1)!.value)]))]),
      ),
    });

    expect(unexpected.slice(0, 5)).toEqual([]);
    expect(counts).toMatchObject({ duplicated: 0, missing: [] });
    expect(broadcastSms).toBe(broadcasts * SUBSCRIBERS);
    expect([...perSubscriber.values()].every((n) => n === broadcasts)).toBe(true);
    expect(completionSms.map((m) => m.body)).toEqual(Array.from({ length: sendingReplies }, () => `Sent to ${SUBSCRIBERS} subscribers`));
    expect(verdicts.filter((v) => v.climbing)).toEqual([]);
  });

  async function watch(name: Watched['name'], proc: AppProcess, metricsUrl: string): Promise<Watched> {
    return {
      name,
      proc,
      inspector: await connectInspector(proc),
      metricsUrl,
      series: { heapMb: [], rssMb: [], openFds: [], eventLoopP99Ms: [] },
    };
  }

  async function sampleAll(atMinutes: number): Promise<void> {
    for (const w of watched) {
      const heap = await w.inspector.heapAfterGc();
      const loopP99 = (await scrape(w.metricsUrl)).value('nudges_nodejs_eventloop_lag_p99_seconds') ?? 0;
      w.series.heapMb.push({ atMinutes, value: heap.heapUsedMb - heap.codeMb });
      w.series.rssMb.push({ atMinutes, value: rssMbOf(w.proc.pid) });
      w.series.openFds.push({ atMinutes, value: readdirSync(`/proc/${w.proc.pid}/fd`).length });
      w.series.eventLoopP99Ms.push({ atMinutes, value: loopP99 * 1000 });
    }
  }
});

const round = (n: number) => Math.round(n * 100) / 100;

const countOf = (sink: TwilioSink, keep: (to: string) => boolean): number => sink.messages.filter((m) => keep(m.to)).length;

function countByTo(sink: TwilioSink, keep: (to: string) => boolean): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages) if (keep(m.to)) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  return counts;
}
