// Shared pieces of the Twilio e2e tests: the OIDC + gateway peers, signed SMS webhooks, TwiML
// reading and a read_committed reader of the notifications topic.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { decodeNotification } from '@app/shared/codec/decode.js';
import twilio from 'twilio';
import { lookupTemplate, EMBEDDED_CATALOG } from '@app/shared/localization/catalog.js';
import { renderTemplate } from '@app/shared/localization/render.js';
import { startGateway, type TestGateway } from '../../../peers/gateway/gateway-server.js';
import type { ClientRecord, GatewayStore } from '../../../peers/gateway/store.js';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../peers/oidc/oidc-server.js';
import { stackEnv, uniqueName } from '../stack.js';
import { TEST_SECRETS } from '../test-secrets.js';

export const API_KEY = TEST_SECRETS.webhooksApiKey;
export const AUTH_TOKEN = 'twilio-test-auth-token';
export const WEBHOOK_PATH = `/api/TwilioWebhookHandler?code=${API_KEY}`;

export interface TwilioPeers {
  oidc: OidcServer;
  gateway: TestGateway;
  /** Env pointing the webhooks app at these peers, with a topic and Redis prefix of its own. */
  env: Record<string, string>;
  topic: string;
  stop(): Promise<void>;
}

export async function startTwilioPeers(name: string): Promise<TwilioPeers> {
  const oidc = await startOidcServer();
  const gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl });
  const topic = uniqueName(`${name}-notifications`);
  const env = {
    GRAPHQL_API_URL: gateway.url,
    Oidc__ServerUrl: oidc.serverUrl,
    Oidc__Realm: oidc.realm,
    Oidc__ClientId: DEFAULT_OIDC_CLIENT.clientId,
    Oidc__ClientSecret: DEFAULT_OIDC_CLIENT.clientSecret,
    KAFKA_TOPIC_NOTIFICATIONS: topic,
    KAFKA_TOPIC_BROADCASTS: uniqueName(`${name}-broadcasts`),
    BROADCAST_CONSUMER_GROUP: uniqueName(`${name}-fanout`),
    REDIS_KEY_PREFIX: `${uniqueName(name)}:`,
    LOCALIZATION_API_URL: '',
  };
  return {
    oidc,
    gateway,
    env,
    topic,
    stop: async () => {
      await gateway.stop();
      await oidc.stop();
    },
  };
}

let seq = 0;
/** A MessageSid of Twilio's shape (SM + 32 hex), unique in this run. */
export function messageSid(): string {
  seq += 1;
  return `SM${Date.now().toString(16).padStart(16, '0')}${seq.toString(16).padStart(16, '0')}`;
}

/** Gives a client an ACTIVE plan subscription (plan, price tier, payment confirmation). */
export function activate(store: GatewayStore, client: ClientRecord, status = 'ACTIVE'): void {
  const plan = store.addPlan({ name: `Plan for ${client.name}` });
  const tier = store.addPriceTier(plan.id, { name: 'Monthly', price: 9.99 });
  const confirmation = store.addPaymentConfirmation({ confirmationCode: uniqueName('in') });
  store.addPlanSubscription({ clientId: client.id, paymentConfirmationId: confirmation.id, priceTierId: tier.id, status });
}

export interface SmsResponse {
  status: number;
  contentType: string | null;
  body: string;
  /** The text of the single <Message>, unescaped; null for an empty <Response/> or a non-200 answer. */
  message: string | null;
}

export interface SendOptions {
  /** URL to sign instead of the one requested (proxy tests); `false` sends no signature. */
  signUrl?: string | false;
  /** A signature to send as is. */
  signature?: string;
  headers?: Record<string, string>;
  path?: string;
}

/** POSTs an inbound-SMS webhook signed with twilio's own signature function. */
export async function sendSms(baseUrl: string, params: Record<string, string>, options: SendOptions = {}): Promise<SmsResponse> {
  const path = options.path ?? WEBHOOK_PATH;
  const url = `${baseUrl}${path}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
  if (options.signature !== undefined) headers['x-twilio-signature'] = options.signature;
  else if (options.signUrl !== false)
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(AUTH_TOKEN, options.signUrl ?? url, params);
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  const body = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body,
    message: res.status === 200 ? twimlMessage(body) : null,
  };
}

/** An SMS from `from` with `body` and a fresh MessageSid. */
export const sms = (from: string, body: string, extra: Record<string, string> = {}): Record<string, string> => ({
  MessageSid: messageSid(),
  AccountSid: 'AC00000000000000000000000000000000',
  From: from,
  To: '+15550000000',
  Body: body,
  NumMedia: '0',
  ...extra,
});

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };

export function twimlMessage(xml: string): string | null {
  if (/^<\?xml version="1\.0" encoding="UTF-8"\?><Response\/>$/.test(xml)) return null;
  const match = /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Message>([\s\S]*)<\/Message><\/Response>$/.exec(xml);
  if (!match) throw new Error(`not a TwiML message reply: ${xml.slice(0, 200)}`);
  if (/[<>]/.test(match[1]!)) throw new Error(`unescaped markup in TwiML: ${xml.slice(0, 200)}`);
  return match[1]!.replace(/&(lt|gt|amp|quot|apos);/g, (e) => ENTITIES[e]!);
}

/** The embedded catalog's rendering of a key: the oracle for replies. */
export function catalogText(key: keyof typeof EMBEDDED_CATALOG, locale: string, replacements: Record<string, string> = {}): string {
  return renderTemplate(lookupTemplate(EMBEDDED_CATALOG, key, locale)!.template, replacements);
}

export interface NotificationRecord {
  key: string;
  value: string;
  partition: number;
  offset: string;
  /** Header values as UTF-8 text. */
  headers: Record<string, string>;
  /** The value as the codec reads it (PascalCase on the wire, checked case-sensitively). */
  parsedValue: { $type: string; phoneNumber: string; resourceKey: string; locale: string; replacements: Record<string, string> };
}

/** A SendSms as our codec (the notifier's reader) reads it; anything else (the barrier) as plain JSON. */
function parsedNotification(value: string): NotificationRecord['parsedValue'] {
  const decoded = decodeNotification(value);
  if (decoded.ok && decoded.value.$type === 'notification.sendSms') return decoded.value as NotificationRecord['parsedValue'];
  return JSON.parse(value) as NotificationRecord['parsedValue'];
}

/**
 * Reads the notifications topic from the beginning with read_committed isolation (as the
 * notifier does) and keeps everything it sees.
 */
export class CommittedNotifications {
  readonly records: NotificationRecord[] = [];
  /** Log positions already kept: a reader that rejoins its group (no commits) reads from the start again. */
  private readonly seen = new Set<string>();
  private consumer?: Consumer;
  private kafka?: Kafka;

  constructor(
    private readonly topic: string,
    private readonly brokers = stackEnv().Kafka__BrokerList,
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka({
      clientId: 'twilio-e2e-reader',
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    this.kafka = kafka;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    this.consumer = kafka.consumer({ groupId: uniqueName('twilio-e2e'), readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const position = `${batch.partition}:${m.offset}`;
          if (this.seen.has(position)) continue;
          this.seen.add(position);
          const value = m.value?.toString('utf8') ?? '';
          this.records.push({
            key: m.key?.toString('utf8') ?? '',
            value,
            partition: batch.partition,
            offset: m.offset,
            headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([name, v]) => [name, String(v)])),
            parsedValue: parsedNotification(value),
          });
        }
      },
    });
  }

  /** Records whose announcement text is `smsBody`. */
  withBody(smsBody: string): NotificationRecord[] {
    return this.records.filter((r) => r.parsedValue.replacements?.smsBody === smsBody);
  }

  /** Waits until `count` records with this text arrived (deadline), then returns them. */
  async waitForBody(smsBody: string, count: number, timeoutMs = 20_000): Promise<NotificationRecord[]> {
    await until(() => this.withBody(smsBody).length >= count, timeoutMs, `${count} notifications for "${smsBody.slice(0, 30)}"`);
    return this.withBody(smsBody);
  }

  /**
   * Writes a marker to every partition and waits until all of them were read back: everything
   * committed before the call has then been read too (a partition is read in order).
   */
  async barrier(timeoutMs = 20_000): Promise<void> {
    const id = uniqueName('barrier');
    const producer = this.kafka!.producer();
    await producer.connect();
    try {
      const partitions = 6;
      await producer.send({
        topic: this.topic,
        messages: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          key: null,
          value: JSON.stringify({ $type: 'test.barrier', id }),
        })),
      });
      await until(
        // Per partition, not a count: a plain kafkajs send may write a marker twice.
        () =>
          new Set(this.records.filter((r) => (r.parsedValue as unknown as { id?: string }).id === id).map((r) => r.partition)).size ===
          partitions,
        timeoutMs,
        'the barrier',
      );
    } finally {
      await producer.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Polls `condition` until it holds or the deadline passes. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
