// Scenario 4, Twilio trouble: the sink answers 429 + Retry-After for 10 % of the recipients, 500
// for 5 %, 21211 (invalid 'To', permanent) for 1 % and slowly (2 s) for 1 %, while events arrive
// at a steady rate. Every retryable SMS must arrive exactly once, every 21211 must be in the
// dead-letter topic with its reason after one attempt, and no partition may stall.
import { decodeNotification } from '@app/shared/codec/decode.js';
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import type { AppProcess } from '../../support/app-process.js';
import { reportFigures } from '../../support/figures.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { phone, sendSmsJson, spreadKey, TEST_ACCOUNT_SID } from '../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, untilAllCommitted } from '../../support/notifier/kafka.js';
import {
  DEADLETTER_TOPIC,
  deadLettersFrom,
  firstAcceptedAt,
  latencySummary,
  leakedPhoneNumbers,
  longestPartitionStallMs,
  produceAtRate,
  sinkCounts,
  untilAllDelivered,
  type Lifetime,
} from '../../support/faults/notifier-faults.js';

jest.setTimeout(240_000);

const EVENTS = 3000;
const PARTITIONS = 6;
/** Below what the notifier manages while 429s hold every sender for a second (about 80 SMS/s here). */
const EVENTS_PER_SECOND = 60;
/** A partition counts as stalled when it had work and finished nothing for this long. */
const STALL_THRESHOLD_MS = 5000;

type Trouble = 'rate-limited' | 'server-error' | 'invalid-number' | 'slow' | 'none';
const SHARES: [Trouble, number][] = [
  ['rate-limited', 0.1],
  ['server-error', 0.05],
  ['invalid-number', 0.01],
  ['slow', 0.01],
];

/** A random, exact split of the event indexes into the trouble kinds (the rest: none). */
function assignTrouble(count: number): Trouble[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const trouble: Trouble[] = Array.from({ length: count }, () => 'none');
  let next = 0;
  for (const [kind, share] of SHARES) for (const end = next + Math.round(share * count); next < end; next++) trouble[order[next]!] = kind;
  return trouble;
}

function addSinkRule(sink: TwilioSink, to: string, trouble: Trouble): void {
  if (trouble === 'rate-limited') sink.addRule({ to, times: 1, action: { status: 429, code: 20429, retryAfterSeconds: 1 } });
  if (trouble === 'server-error') sink.addRule({ to, times: 1, action: { status: 500, code: 20500 } });
  if (trouble === 'invalid-number') sink.addRule({ to, action: { status: 400, code: 21211 } });
  if (trouble === 'slow') sink.addRule({ to, times: 1, action: { delayMs: 2000 } });
}

describe('fault scenario 4: Twilio trouble (429, 500, 21211, slow answers)', () => {
  const topic = uniqueName('faults-twilio');
  let kafka: Kafka;
  let sink: TwilioSink;
  let member: AppProcess | undefined;

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, PARTITIONS);
    await createTopic(kafka, DEADLETTER_TOPIC, 1);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID });
  });

  afterAll(async () => {
    member?.kill('SIGKILL');
    await member?.exited;
    await sink?.stop();
  });

  it('delivers every retryable SMS once, dead-letters every 21211 with its reason, and never stalls a partition', async () => {
    const trouble = assignTrouble(EVENTS);
    const recipients = trouble.map((_, i) => phone(i));
    trouble.forEach((kind, i) => addSinkRule(sink, recipients[i]!, kind));
    const invalid = recipients.filter((_, i) => trouble[i] === 'invalid-number');
    const deliverable = recipients.filter((_, i) => trouble[i] !== 'invalid-number');

    const env = fleetEnv({ topic, sink, extra: { KAFKA_TOPIC_DEADLETTER: DEADLETTER_TOPIC } });
    member = await startMember(env);
    await joinedWithPartitions(member);
    const startedAt = Date.now();
    const events = recipients.map((to, i) => ({
      partition: i % PARTITIONS,
      key: spreadKey(i),
      value: sendSmsJson(to, 'SendOtp', 'en-US', { otp: String(100000 + i) }),
    }));
    const sentAt = await produceAtRate(kafka, topic, events, EVENTS_PER_SECOND);

    await untilAllDelivered(sink, deliverable, 120_000);
    await untilAllCommitted(kafka, env.KAFKA_CONSUMER_GROUP!, topic, 60_000);
    const durationMs = Date.now() - startedAt;
    const deadLetters = await deadLettersFrom(kafka, topic);

    const counts = sinkCounts(sink, deliverable);
    const accepted = firstAcceptedAt(sink);
    const deadLetterAt = new Map(deadLetters.map((d) => [recipientOf(d.originalValue), Date.parse(d.record.timestamp)]));
    const lifetimes: Lifetime[] = recipients.map((to, i) => ({
      partition: events[i]!.partition,
      sentAt: sentAt[i]!,
      doneAt: accepted.get(to) ?? deadLetterAt.get(to) ?? Date.now(),
    }));
    const latencies = latencySummary(deliverable.map((to) => accepted.get(to)! - sentAt[recipients.indexOf(to)]!));
    const attemptsTo = (to: string) => sink.attempts.filter((a) => a.to === to);
    const retryable = recipients.filter((_, i) => trouble[i] !== 'none' && trouble[i] !== 'invalid-number');
    const invalidDeadLettered = invalid.filter((to) =>
      deadLetters.some(
        (d) => recipientOf(d.originalValue) === to && d.record.edge?.reasonCode === 'twilio.21211' && d.record.exceptionMessage.length > 0,
      ),
    );
    const stallMs = longestPartitionStallMs(lifetimes);

    reportFigures('faults', {
      scenario: 'twilio-trouble',
      sent: EVENTS,
      delivered: counts.delivered,
      duplicated: counts.duplicated,
      lost: counts.missing.length + invalid.length - invalidDeadLettered.length,
      deadLettered: deadLetters.length,
      maxLatencyMs: latencies.maxLatencyMs,
      p50LatencyMs: latencies.p50Ms,
      p99LatencyMs: latencies.p99Ms,
      retryable: retryable.length,
      retryableDelivered: retryable.filter((to) => accepted.has(to)).length,
      invalidNumbers: invalid.length,
      invalidDeadLettered: invalidDeadLettered.length,
      answered429: sink.attempts.filter((a) => a.status === 429).length,
      answered500: sink.attempts.filter((a) => a.status === 500).length,
      longestPartitionStallMs: stallMs,
      stallThresholdMs: STALL_THRESHOLD_MS,
      eventsPerSecond: EVENTS_PER_SECOND,
      durationMs,
    });

    expect(counts.missing).toEqual([]);
    expect(counts.duplicated).toBe(0);
    expect(retryable.filter((to) => !accepted.has(to))).toEqual([]);
    expect(invalidDeadLettered).toHaveLength(invalid.length);
    expect(deadLetters).toHaveLength(invalid.length);
    // Permanent means one attempt: 21211 is never retried.
    expect(invalid.filter((to) => attemptsTo(to).length !== 1)).toEqual([]);
    expect(
      deadLetters.every(
        (d) =>
          d.record.edge?.source === 'notifier' && d.record.attemptCount === 1 && leakedPhoneNumbers(d.record.exceptionMessage).length === 0,
      ),
    ).toBe(true);
    expect(stallMs).toBeLessThan(STALL_THRESHOLD_MS);
    expect(leakedPhoneNumbers(member.output())).toEqual([]);
  });
});

function recipientOf(value: Buffer | null): string {
  const decoded = decodeNotification(value);
  return decoded.ok && decoded.value.$type === 'notification.sendSms' ? (decoded.value.phoneNumber ?? '') : '';
}
