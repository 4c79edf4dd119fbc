// Measuring side of the notifier fault scenarios: a paced producer that remembers when each event
// was sent, the dead-letter topic read to its end, and the figures (delivered, duplicated, lost,
// latency percentiles, longest partition stall) computed from what the Twilio sink recorded.
import type { Kafka } from 'kafkajs';
import { fromEncodedBytes } from '@app/shared/codec/bytes.js';
import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import type { TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { until } from '../notifier/events.js';
import { type RawMessage, withCreateTime } from '../notifier/kafka.js';

/** The dead-letter topic named by the contract; every scenario filters it by its own source topic. */
export const DEADLETTER_TOPIC = 'deadletter';

/** One event of a scenario: what goes to Kafka and which partition it was written to. */
export interface ScenarioEvent extends RawMessage {
  partition: number;
}

/** When each event (by index) was handed to Kafka, epoch ms. */
export type SentTimes = number[];

/** Writes all events at once (a backlog), in chunks; every event's sent time is the start. */
export async function produceBacklog(kafka: Kafka, topic: string, events: ScenarioEvent[]): Promise<SentTimes> {
  const startedAt = Date.now();
  await producing(kafka, topic, async (send) => {
    for (let i = 0; i < events.length; i += 500) await send(events.slice(i, i + 500));
  });
  return events.map(() => startedAt);
}

/**
 * Writes events at `perSecond` in ten slices a second (load shaping, not synchronisation): an
 * event's sent time is when its slice was due, so a slow send shows up as latency.
 */
export async function produceAtRate(kafka: Kafka, topic: string, events: ScenarioEvent[], perSecond: number): Promise<SentTimes> {
  const sliceSize = Math.max(1, Math.round(perSecond / 10));
  const sentAt: SentTimes = [];
  const startedAt = Date.now();
  await producing(kafka, topic, async (send) => {
    for (let first = 0, slice = 0; first < events.length; first += sliceSize, slice++) {
      const dueAt = startedAt + slice * 100;
      if (dueAt > Date.now()) await new Promise((r) => setTimeout(r, dueAt - Date.now()));
      const chunk = events.slice(first, first + sliceSize);
      chunk.forEach(() => sentAt.push(dueAt));
      await send(chunk);
    }
  });
  return sentAt;
}

async function producing(
  kafka: Kafka,
  topic: string,
  work: (send: (messages: ScenarioEvent[]) => Promise<void>) => Promise<void>,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await work(async (messages) => void (await producer.send({ topic, acks: -1, messages: withCreateTime(messages) })));
  } finally {
    await producer.disconnect();
  }
}

export interface DeadLetter {
  record: DeadLetterRecord;
  originalKey: Buffer | null;
  originalValue: Buffer | null;
}

/** Every dead-letter record whose original came from `sourceTopic`, reading the topic up to its current end. */
export async function deadLettersFrom(kafka: Kafka, sourceTopic: string, timeoutMs = 60_000): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(DEADLETTER_TOPIC).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const found: DeadLetter[] = [];
  const consumer = kafka.consumer({
    groupId: `deadletter-reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: DEADLETTER_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
        const decoded = decodeDeadLetter(message.value);
        if (!decoded.ok || decoded.value.edge?.original.topic !== sourceTopic) return;
        const { key, value } = decoded.value.edge.original;
        found.push({ record: decoded.value, originalKey: key && fromEncodedBytes(key), originalValue: value && fromEncodedBytes(value) });
      },
    });
    await until(() => remaining.size === 0, timeoutMs, `the ${DEADLETTER_TOPIC} topic read to its end`);
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/**
 * Waits until every recipient has an SMS at the sink. Polls, reading only the SMS that arrived
 * since the last look: the sink's own waitFor runs its predicate on every request, and a full
 * count per request over thousands of recipients would slow the sink's answers past the
 * notifier's timeout (turning the scenario into a Twilio-timeout scenario).
 */
export async function untilAllDelivered(sink: TwilioSink, recipients: readonly string[], timeoutMs: number): Promise<void> {
  const missing = new Set(recipients);
  let read = 0;
  const check = () => {
    for (; read < sink.messages.length; read++) missing.delete(sink.messages[read]!.to);
    return missing.size === 0;
  };
  await until(check, timeoutMs, `an SMS for each of ${recipients.length} recipients`);
}

/** Delivered, duplicated and missing recipients as the sink saw them. */
export function sinkCounts(sink: TwilioSink, recipients: readonly string[]): { delivered: number; duplicated: number; missing: string[] } {
  const counts = sink.countByTo();
  let delivered = 0;
  let duplicated = 0;
  const missing: string[] = [];
  for (const to of recipients) {
    const n = counts.get(to) ?? 0;
    if (n === 0) missing.push(to);
    else delivered += 1;
    duplicated += Math.max(0, n - 1);
  }
  // An SMS to a number no event named would be a bug too (e.g. a mangled recipient).
  const known = new Set(recipients);
  duplicated += sink.messages.filter((m) => !known.has(m.to)).length;
  return { delivered, duplicated, missing };
}

/** When the sink first accepted an SMS for each recipient. */
export function firstAcceptedAt(sink: TwilioSink): Map<string, number> {
  const first = new Map<string, number>();
  for (const m of sink.messages) if (!first.has(m.to)) first.set(m.to, m.receivedAt);
  return first;
}

/** The `p`-th percentile (0–100, nearest rank) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Latencies {
  p50Ms: number;
  p99Ms: number;
  maxLatencyMs: number;
}

export function latencySummary(values: readonly number[]): Latencies {
  return { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxLatencyMs: values.length ? Math.max(...values) : 0 };
}

/** An event's life in a partition: sent to Kafka, then finished (SMS accepted or dead-lettered). */
export interface Lifetime {
  partition: number;
  sentAt: number;
  doneAt: number;
}

/**
 * The longest time any partition had work waiting (sent, not yet finished) while none of its
 * events finished: the "stall". A partition that keeps finishing something stays low even when
 * single events are slow; one blocked behind a slow or bad event grows with the blockage.
 */
export function longestPartitionStallMs(lifetimes: readonly Lifetime[]): number {
  const byPartition = new Map<number, Lifetime[]>();
  for (const l of lifetimes) byPartition.set(l.partition, [...(byPartition.get(l.partition) ?? []), l]);
  return Math.max(0, ...[...byPartition.values()].map(longestStallMs));
}

function longestStallMs(lifetimes: readonly Lifetime[]): number {
  // At equal times a finish counts before a send, so an idle partition does not count as stalled.
  const events = lifetimes
    .flatMap((l) => [
      { at: l.sentAt, delta: 1 },
      { at: l.doneAt, delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let pending = 0;
  let waitingSince = 0;
  let longest = 0;
  for (const { at, delta } of events) {
    if (delta < 0) {
      longest = Math.max(longest, at - waitingSince);
      waitingSince = at;
    } else if (pending === 0) {
      waitingSince = at;
    }
    pending += delta;
  }
  return longest;
}

/** The longest gap between two SMS the sink accepted, from the first to the last. */
export function longestSinkGapMs(sink: TwilioSink): number {
  let longest = 0;
  for (let i = 1; i < sink.messages.length; i++)
    longest = Math.max(longest, sink.messages[i]!.receivedAt - sink.messages[i - 1]!.receivedAt);
  return longest;
}

/** Full phone numbers of this suite's recipients (`+1555` and 7 digits) that leaked into a text. */
export const leakedPhoneNumbers = (text: string): string[] => [...new Set(text.match(/\+1555\d{7}/g) ?? [])];
