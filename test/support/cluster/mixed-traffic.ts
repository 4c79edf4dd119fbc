// Traffic that keeps flowing through a cluster fault: SendSms written as the C# services write them,
// Stripe events delivered as Stripe delivers them, and inbound SMS as Twilio posts them. Each stream
// is paced by a timer (load shaping) and remembers what it sent and what was answered, for the
// figures; none of them waits on the fault.
import type { Kafka, Producer } from 'kafkajs';
import { Murmur2Partitioner } from '@app/shared/kafka/murmur2-partitioner.js';
import type { GatewayStore } from '../../../peers/gateway/store.js';
import type { TestGateway } from '../../../peers/gateway/gateway-server.js';
import { SEND_SMS_KEY, phone, sendSmsJson, until } from '../notifier/events.js';
import { produce } from '../notifier/kafka.js';
import { deliverUntilAcknowledged, is2xx, type RetryPolicy } from '../faults/webhooks-process.js';
import { productObject, stripeEvent, stripeId } from '../stripe/stripe-fixtures.js';
import { KafkaReader } from '../stripe/kafka-reader.js';
import { deliver, type Delivery } from '../stripe/stripe-harness.js';
import { CommittedNotifications, sendSms, sms, type NotificationRecord } from '../twilio/twilio-support.js';
import { explainPositions } from './log-dump.js';
import type { TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';

/** How often a sender gives up on a record Kafka did not take before the test fails. */
const MAX_RESENDS = 100;
const RESEND_PAUSE_MS = 250;

/** One SendSms as written: the recipient and the exact record, so the same record can be written again. */
export interface WrittenSendSms {
  to: string;
  value: string;
  /** CreateTime as set by the producer; part of the notifier's event identity. */
  timestamp: string;
}

/**
 * SendSms as the C# services produce them: the constant key (so all in one partition), acks=all,
 * no idempotence (Confluent's .NET default), and a record Kafka did not confirm written again as
 * it was, which may store it twice: the notifier must still send one SMS.
 */
export class CsharpSendSmsStream {
  readonly written: WrittenSendSms[] = [];
  /** Sends that failed and were written again. */
  resends = 0;
  private producer?: Producer;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();
  private failure?: Error;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    /** Recipients are phone(firstIndex), phone(firstIndex + 1), … */
    private readonly firstIndex: number,
    private readonly resourceKey = 'WelcomeMessage',
  ) {}

  async start(perSecond: number): Promise<void> {
    // The partitioner of the Java and .NET clients (murmur2), as the C# producers partition.
    this.producer = this.kafka.producer({
      idempotent: false,
      allowAutoTopicCreation: false,
      createPartitioner: Murmur2Partitioner,
      retry: { retries: 3 },
    });
    await this.producer.connect();
    const perTick = Math.max(1, Math.round(perSecond / 10));
    this.timer = setInterval(() => this.write(perTick), 100);
  }

  /** Stops writing and waits until every record written so far is confirmed by Kafka. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.producer?.disconnect();
    if (this.failure) throw this.failure;
  }

  get recipients(): string[] {
    return this.written.map((w) => w.to);
  }

  private write(count: number): void {
    const batch = Array.from({ length: count }, () => {
      const to = phone(this.firstIndex + this.written.length);
      const record = { to, value: sendSmsJson(to, this.resourceKey, 'en-US'), timestamp: String(Date.now()) };
      this.written.push(record);
      return record;
    });
    const sending = this.sendUntilTaken(batch).catch((err: unknown) => void (this.failure ??= err as Error));
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  private async sendUntilTaken(batch: WrittenSendSms[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer!.send({
          topic: this.topic,
          acks: -1,
          messages: batch.map((r) => ({ key: SEND_SMS_KEY, value: r.value, timestamp: r.timestamp })),
        });
        return;
      } catch (err) {
        if (attempt >= MAX_RESENDS) throw new Error(`SendSms not taken after ${attempt} sends: ${(err as Error).message}`, { cause: err });
        this.resends += 1;
        await new Promise((resolve) => setTimeout(resolve, RESEND_PAUSE_MS));
      }
    }
  }
}

/**
 * Writes `records` again exactly as they were written (key, value, CreateTime), as a producer that
 * retries a send it thinks failed, or an operator replaying a topic, would.
 */
export async function writeAgain(kafka: Kafka, topic: string, records: readonly WrittenSendSms[]): Promise<void> {
  await produce(
    kafka,
    topic,
    records.map((r) => ({ key: SEND_SMS_KEY, value: r.value, timestamp: r.timestamp })),
  );
}

/** A product.updated for a product the gateway knows, delivered until acknowledged. */
export interface StripeDelivery {
  productId: string;
  planId: string;
  startedAt: number;
  /** When the 2xx came; undefined while Stripe is still retrying. */
  ackedAt?: number;
  statuses: number[];
}

/**
 * One `product.updated` of a fresh product every `everyMs`, each delivered as Stripe does (signed,
 * retried with backoff on anything but 2xx) until acknowledged.
 */
export class StripeEventStream {
  readonly deliveries: StripeDelivery[] = [];
  private timer?: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly endpoint: string,
    private readonly store: GatewayStore,
    private readonly retries: RetryPolicy,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => this.deliverOne(), everyMs);
  }

  /** Stops sending new events and waits until every one sent is acknowledged (or its retries ran out). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** The same event once more, as Stripe sends it again now and then (one attempt, no retry). */
  static deliverAgain(endpoint: string, delivery: StripeDelivery): Promise<Delivery> {
    return deliver(endpoint, eventFor(delivery));
  }

  get ackTimes(): number[] {
    return this.deliveries.flatMap((d) => (d.ackedAt === undefined ? [] : [d.ackedAt]));
  }

  private deliverOne(): void {
    const productId = stripeId('prod');
    const plan = this.store.addPlan({ name: 'Before', foreignServiceId: productId });
    const delivery: StripeDelivery = { productId, planId: String(plan.id), startedAt: Date.now(), statuses: [] };
    this.deliveries.push(delivery);
    const sending = deliverUntilAcknowledged(this.endpoint, eventFor(delivery), this.retries).then((r) => {
      delivery.statuses = r.statuses;
      if (is2xx(r.statuses.at(-1)!)) delivery.ackedAt = Date.now();
    });
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }
}

/**
 * The event of a delivery, the same bytes every time: Stripe's retries and replays send the same
 * event (same id), which is what the dedupe must recognise.
 */
const events = new Map<string, string>();
function eventFor(delivery: StripeDelivery): string {
  let body = events.get(delivery.productId);
  if (!body) {
    body = JSON.stringify(stripeEvent('product.updated', productObject({ id: delivery.productId, name: `Renamed ${delivery.productId}` })));
    events.set(delivery.productId, body);
  }
  return body;
}

/** What the Stripe stream's events did: Kafka records per product and gateway patches per plan. */
export interface StripeEffects {
  /** Events whose foreign-products record is missing. */
  lost: string[];
  /** Records beyond one per event (an event applied twice). */
  duplicated: number;
  /** The products published more than once. */
  publishedTwice: string[];
  /** The lost and twice-published events: id, the statuses Stripe was answered, and Kafka records. */
  explained: { eventId: string; statuses: number[]; records: number }[];
  /** Gateway patches beyond one per event (a patch repeated by a retry; patches are idempotent). */
  repeatedPatches: number;
}

/** Reads `foreignProductsTopic` to its end and counts each delivery's records and gateway patches. */
export async function stripeEffects(
  deliveries: readonly StripeDelivery[],
  foreignProductsTopic: string,
  gateway: TestGateway,
): Promise<StripeEffects> {
  const reader = await KafkaReader.start([foreignProductsTopic]);
  try {
    const total = await reader.count(foreignProductsTopic);
    await reader.waitFor(foreignProductsTopic, () => true, total, 60_000);
    const perProduct = new Map<string, number>();
    for (const m of reader.read(foreignProductsTopic)) {
      const product = deliveries.find((d) => m.key?.includes(d.productId));
      if (product) perProduct.set(product.productId, (perProduct.get(product.productId) ?? 0) + 1);
    }
    const patches = (planId: string) =>
      gateway.mutations.filter((m) => m.field === 'patchPlan' && String(m.input['id']) === planId && m.outcome === 'applied').length;
    const odd = deliveries.filter((d) => (perProduct.get(d.productId) ?? 0) !== 1);
    return {
      explained: odd.slice(0, 10).map((d) => ({
        eventId: (JSON.parse(eventFor(d)) as { id: string }).id,
        statuses: d.statuses,
        records: perProduct.get(d.productId) ?? 0,
      })),
      lost: deliveries.filter((d) => !perProduct.has(d.productId)).map((d) => d.productId),
      duplicated: [...perProduct.values()].reduce((sum, n) => sum + n - 1, 0),
      publishedTwice: [...perProduct].filter(([, n]) => n > 1).map(([id]) => id),
      repeatedPatches: deliveries.reduce((sum, d) => sum + Math.max(0, patches(d.planId) - 1), 0),
    };
  } finally {
    await reader.stop();
  }
}

/** An inbound SMS answered by the webhooks app: when it was sent, how long the answer took, its status. */
export interface InboundAnswer {
  sentAt: number;
  ms: number;
  status: number;
}

/** HELP from a client every `everyMs`, as Twilio posts it; the answers show the app stays responsive. */
export class InboundHelpStream {
  readonly answers: InboundAnswer[] = [];
  private timer?: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly webhooksUrl: string,
    private readonly from: string,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      const sentAt = Date.now();
      const asking = sendSms(this.webhooksUrl, sms(this.from, 'HELP'))
        .then((r) => r.status)
        .catch(() => 0)
        .then((status) => void this.answers.push({ sentAt, ms: Date.now() - sentAt, status }));
      this.pending.add(asking);
      void asking.finally(() => this.pending.delete(asking));
    }, everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** Why a recipient got more than one SMS: what the sink took and what Kafka holds for it. */
export interface DuplicateExplanation {
  /** Which stream the recipient belongs to and its index, never the number itself. */
  who: string;
  /** When the sink took each SMS, ms after the first. */
  sinkOffsetsMs: number[];
  /** Committed SendSms records for the recipient (2+: written twice; 1: sent twice from one record). */
  kafkaRecords: number;
  /** partition:offset of each record. */
  positions: string[];
  /** For the first recipient with two records in one partition: Kafka's log between them (batches, producers, markers). */
  log?: string[];
}

/**
 * Diagnostics for a failed exactly-once check: reads `topic` (read_committed) until every one of
 * `recipients` has been seen, then describes each duplicated one. `name(to)` says who it is.
 */
export async function explainDuplicates(
  sink: TwilioSink,
  topic: string,
  recipients: readonly string[],
  name: (to: string) => string,
): Promise<DuplicateExplanation[]> {
  const duplicated = [...sink.countByTo()].filter(([to, n]) => n > 1 && recipients.includes(to)).map(([to]) => to);
  if (duplicated.length === 0) return [];
  const byRecipient = recordsByRecipient(await committedRecords(topic, recipients));
  const explanations = duplicated.slice(0, 10).map((to) => {
    const sinkTimes = sink.messages.filter((m) => m.to === to).map((m) => m.receivedAt);
    const records = byRecipient.get(to) ?? [];
    return {
      who: name(to),
      sinkOffsetsMs: sinkTimes.map((t) => t - sinkTimes[0]!),
      kafkaRecords: records.length,
      positions: positionsOf(records),
    };
  });
  const copied = explanations.find((e) => e.kafkaRecords > 1);
  if (copied) Object.assign(copied, { log: logAround(topic, byRecipient.get(duplicated[explanations.indexOf(copied)]!)!) });
  return explanations;
}

/** Recipients with more than one committed SendSms in `topic`, whatever the sink took. */
export interface KafkaCopies {
  recipients: number;
  /** The first such recipient, where its records are, and Kafka's log between them. */
  first?: { who: string; positions: string[]; log: string[] };
}

/**
 * Counts the recipients Kafka holds more than one committed SendSms for. The notifier sends such
 * copies of a broadcast SendSms once (same broadcast header, key and value); this says how often a
 * fault made Kafka hold them, and how (one transaction or two, committed or aborted).
 */
export async function kafkaCopies(topic: string, recipients: readonly string[], name: (to: string) => string): Promise<KafkaCopies> {
  const byRecipient = recordsByRecipient(await committedRecords(topic, recipients));
  const copied = recipients.filter((to) => (byRecipient.get(to)?.length ?? 0) > 1);
  if (copied.length === 0) return { recipients: 0 };
  const records = byRecipient.get(copied[0]!)!;
  return { recipients: copied.length, first: { who: name(copied[0]!), positions: positionsOf(records), log: logAround(topic, records) } };
}

/** The committed records of `topic`, once every one of `recipients` has one (or after 60 s). */
async function committedRecords(topic: string, recipients: readonly string[]): Promise<NotificationRecord[]> {
  const notifications = new CommittedNotifications(topic);
  await notifications.start();
  try {
    const phones = () => new Set(notifications.records.map((r) => r.parsedValue.phoneNumber));
    await until(() => recipients.every((to) => phones().has(to)), 60_000, 'every recipient in the topic').catch(() => undefined);
    return [...notifications.records];
  } finally {
    await notifications.stop();
  }
}

function recordsByRecipient(records: readonly NotificationRecord[]): Map<string, NotificationRecord[]> {
  const byRecipient = new Map<string, NotificationRecord[]>();
  for (const r of records) {
    const to = r.parsedValue.phoneNumber;
    const list = byRecipient.get(to);
    if (list) list.push(r);
    else byRecipient.set(to, [r]);
  }
  return byRecipient;
}

const positionsOf = (records: readonly NotificationRecord[]): string[] => records.map((r) => `${r.partition}:${r.offset}`);

/** Kafka's log between a recipient's records, when they share a partition. */
function logAround(topic: string, records: readonly NotificationRecord[]): string[] {
  const partition = records[0]!.partition;
  if (records.some((r) => r.partition !== partition)) return ['copies in different partitions'];
  return explainPositions(
    topic,
    partition,
    records.map((r) => Number(r.offset)),
  );
}
