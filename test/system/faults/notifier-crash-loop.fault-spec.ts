// Scenario 3, notifier crash loop: 10,000 SendSms through the built notifier (a separate process),
// which is killed with SIGKILL three times at random points (drawn around 15 %, 45 % and 75 % of
// the SMS the sink has accepted) and started again each time; the Kafka broker of the stack is
// restarted once in between (around 60 %). Every recipient must get exactly one SMS.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import type { AppProcess } from '../../support/app-process.js';
import { reportFigures } from '../../support/figures.js';
import { stackEnv, startComponent, stopComponent, uniqueName } from '../../support/stack.js';
import { phone, sendSmsJson, spreadKey, TEST_ACCOUNT_SID } from '../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, untilAllCommitted } from '../../support/notifier/kafka.js';
import {
  DEADLETTER_TOPIC,
  deadLettersFrom,
  firstAcceptedAt,
  latencySummary,
  leakedPhoneNumbers,
  longestSinkGapMs,
  produceBacklog,
  sinkCounts,
  untilAllDelivered,
} from '../../support/faults/notifier-faults.js';

jest.setTimeout(300_000);

const EVENTS = 10_000;
const PARTITIONS = 6;
/** Paced, so that the stream is still running at every kill and at the broker restart. */
const MAX_SMS_PER_SECOND = 500;
/** Twilio's answer takes this long: at each kill, dozens of SMS are with Twilio but not yet recorded. */
const SINK_LATENCY_MS = 50;

type Fault = 'kill' | 'broker-restart';
/** What happens when the sink has accepted about this share of the SMS (±3 points, drawn at random). */
const PLAN: [Fault, number][] = [
  ['kill', 0.15],
  ['kill', 0.45],
  ['broker-restart', 0.6],
  ['kill', 0.75],
];

/** Output of a consumer that lost its broker (as the broker-restart e2e test checks). */
const BROKER_LOST = /"msg":"(consumer crashed|heartbeat failed; ending the batch|offset commit failed)"/;

describe('fault scenario 3: notifier crash loop', () => {
  const topic = uniqueName('faults-crash');
  let kafka: Kafka;
  let sink: TwilioSink;
  const members: AppProcess[] = [];

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, PARTITIONS);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, latencyMs: SINK_LATENCY_MS });
  });

  afterAll(async () => {
    members.forEach((m) => m.kill('SIGKILL'));
    await Promise.all(members.map((m) => m.exited));
    await sink?.stop();
  });

  it('delivers 10,000 SMS exactly once across three SIGKILLs and a broker restart', async () => {
    const recipients = Array.from({ length: EVENTS }, (_, i) => phone(i));
    const events = recipients.map((to, i) => ({
      partition: i % PARTITIONS,
      key: spreadKey(i),
      value: sendSmsJson(to, 'SendOtp', 'en-US', { otp: String(100000 + i) }),
    }));
    const sentAt = await produceBacklog(kafka, topic, events);

    const env = fleetEnv({ topic, sink, extra: { KAFKA_TOPIC_DEADLETTER: DEADLETTER_TOPIC, TWILIO_MAX_MPS: String(MAX_SMS_PER_SECOND) } });
    const startedAt = Date.now();
    members.push(await startMember(env));
    await joinedWithPartitions(members[0]!);

    const faults: { fault: Fault; atShare: number; acceptedBefore: number; member: number; outageMs?: number; exit?: number | string }[] =
      [];
    for (const [fault, share] of PLAN) {
      const atShare = Math.round((share + (Math.random() - 0.5) * 0.06) * 100) / 100;
      await sink.waitFor((s) => s.messages.length >= atShare * EVENTS, 120_000, `${Math.round(atShare * 100)} % of the SMS`);
      const current = members.at(-1)!;
      const record = { fault, atShare, acceptedBefore: sink.messages.length, member: members.length - 1 };
      if (fault === 'kill') {
        current.kill('SIGKILL');
        faults.push({ ...record, exit: await current.exited });
        members.push(await startMember(env));
      } else {
        const stoppedAt = Date.now();
        await stopComponent('kafka');
        await startComponent('kafka');
        faults.push({ ...record, outageMs: Date.now() - stoppedAt });
      }
    }

    await untilAllDelivered(sink, recipients, 180_000);
    await untilAllCommitted(kafka, env.KAFKA_CONSUMER_GROUP!, topic, 60_000);
    const durationMs = Date.now() - startedAt;
    const deadLetters = await deadLettersFrom(kafka, topic);

    const counts = sinkCounts(sink, recipients);
    const accepted = firstAcceptedAt(sink);
    const latencies = latencySummary(recipients.flatMap((to, i) => (accepted.has(to) ? [accepted.get(to)! - sentAt[i]!] : [])));
    const foundInProviderLog = members.reduce((sum, m) => sum + statOf(m, 'foundInProviderLog'), 0);
    const output = members.map((m) => m.output()).join('\n');

    reportFigures('faults', {
      scenario: 'notifier-crash-loop',
      sent: EVENTS,
      delivered: counts.delivered,
      duplicated: counts.duplicated,
      lost: counts.missing.length,
      deadLettered: deadLetters.length,
      maxLatencyMs: latencies.maxLatencyMs,
      p50LatencyMs: latencies.p50Ms,
      p99LatencyMs: latencies.p99Ms,
      distinctAtSink: accepted.size,
      smsAtSink: sink.messages.length,
      kills: faults.filter((f) => f.fault === 'kill').map((f) => ({ atShare: f.atShare, acceptedBefore: f.acceptedBefore, exit: f.exit })),
      brokerRestart: faults
        .filter((f) => f.fault === 'broker-restart')
        .map((f) => ({ atShare: f.atShare, acceptedBefore: f.acceptedBefore, outageMs: f.outageMs })),
      processes: members.length,
      foundInProviderLog,
      longestSinkGapMs: longestSinkGapMs(sink),
      maxSmsPerSecond: MAX_SMS_PER_SECOND,
      durationMs,
    });

    expect(accepted.size).toBe(EVENTS);
    expect(counts.missing).toEqual([]);
    expect(counts.duplicated).toBe(0);
    expect(sink.messages).toHaveLength(EVENTS);
    expect(deadLetters).toHaveLength(0);
    // Every fault struck mid-stream, and the kills were real SIGKILLs.
    expect(faults.map((f) => f.fault)).toEqual(PLAN.map(([fault]) => fault));
    expect(faults.filter((f) => f.acceptedBefore >= EVENTS)).toEqual([]);
    expect(faults.filter((f) => f.fault === 'kill').map((f) => f.exit)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL']);
    // The member running at the broker restart lost the broker and carried on.
    expect(members[faults.find((f) => f.fault === 'broker-restart')!.member]!.output()).toMatch(BROKER_LOST);
    expect(leakedPhoneNumbers(output)).toEqual([]);
  });
});
