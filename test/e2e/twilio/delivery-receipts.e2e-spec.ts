// Delivery receipts end to end (issue 15, item 8): the notifier asks Twilio for them (StatusCallback,
// ValidityPeriod on every message), the Twilio sink plays Twilio's status callbacks, signed, to the
// real webhooks app, which records each message's final status once and a broadcast's delivered /
// undelivered / failed / optedOut counts. Real Kafka and Redis of the stack; both apps in-process.
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import twilio from 'twilio';
import { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { METRICS_REGISTRY } from '@app/shared/metrics/metrics.registry.js';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { messageStatusKey } from '../../../apps/webhooks/src/twilio/status/message-status.store.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { SEND_SMS_KEY, TEST_MESSAGING_SERVICE_SID, phone, sendSmsJson, until } from '../../support/notifier/events.js';
import { createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { TEST_SECRETS } from '../../support/test-secrets.js';
import { startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';

jest.setTimeout(60_000);

const ACCOUNT_SID = 'AC00000000000000000000000000000000';
const TOKEN = TEST_SECRETS.twilioAuthToken;
const CALLBACK_PATH = `/api/TwilioStatusCallback?code=${TEST_SECRETS.webhooksApiKey}`;

describe('delivery receipts: notifier → Twilio (sink) → status callbacks → webhooks', () => {
  const topic = uniqueName('receipts');
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let sink: TwilioSink;
  let notifier: RunningNotifier;
  let kafka: Kafka;
  let redis: Redis;
  let broadcasts: BroadcastDeliveryStore;

  beforeAll(async () => {
    const stack = stackEnv();
    peers = await startTwilioPeers('receipts');
    webhooks = await startWebhooksApp(peers.env);
    sink = await startTwilioSink({ accountSid: ACCOUNT_SID, authToken: TOKEN });
    kafka = plainKafka(stack.Kafka__BrokerList);
    await createTopic(kafka, topic, 2);
    notifier = await startNotifier({
      env: {
        Kafka__BrokerList: stack.Kafka__BrokerList,
        REDIS_URL: stack.REDIS_URL,
        REDIS_KEY_PREFIX: peers.env.REDIS_KEY_PREFIX!,
        KAFKA_TOPIC_NOTIFICATIONS: topic,
        KAFKA_TOPIC_DEADLETTER: `${topic}-deadletter`,
        KAFKA_CONSUMER_GROUP: uniqueName('notifier-receipts'),
        NOTIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
        TWILIO_API_URL: sink.url,
        TWILIO_STATUS_CALLBACK_URL: `${webhooks.url}${CALLBACK_PATH}`,
        TWILIO_VALIDITY_PERIOD_SECONDS: '1',
        LOCALIZATION_API_URL: '',
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
    redis = new Redis(stack.REDIS_URL, { keyPrefix: peers.env.REDIS_KEY_PREFIX });
    broadcasts = new BroadcastDeliveryStore(redis);
  }, 60_000);

  afterAll(async () => {
    await notifier?.stop();
    await webhooks?.stop();
    await sink?.stop();
    redis?.disconnect();
    await peers?.stop();
  });

  const sms = (to: string, broadcastId?: string) => ({
    key: SEND_SMS_KEY,
    value: sendSmsJson(to, 'WelcomeMessage', 'en-US'),
    ...(broadcastId ? { headers: { 'nudges-broadcast-id': broadcastId } } : {}),
  });
  const webhookMetrics = () => webhooks.app.get<Registry>(METRICS_REGISTRY).metrics();
  const finalCallbacksTo = (to: string) => sink.callbacks.filter((c) => c.to === to && c.status !== 'sent');

  it('counts a broadcast’s messages by how they ended, each once, whatever Twilio reports and how often', async () => {
    const broadcastId = uniqueName('b');
    const [delivered, unreachable, filtered, expired, optedOut] = [phone(7101), phone(7102), phone(7103), phone(7104), phone(7105)];
    sink.addReceiptRule({ to: unreachable, receipt: { status: 'undelivered', errorCode: 30003 } });
    // Reported three times, the final status before `sent`: still one undelivered message.
    sink.addReceiptRule({ to: filtered, receipt: { status: 'undelivered', errorCode: 30007, repeat: 3, finalFirst: true } });
    // Longer in Twilio's queue than its ValidityPeriod (1 s): Twilio gives it up, failed 30036.
    sink.addReceiptRule({ to: expired, receipt: { queuedMs: 2000 } });
    sink.addRule({ to: optedOut, action: { status: 400, code: 21610 } });
    await produce(
      kafka,
      topic,
      [delivered, unreachable, filtered, expired, optedOut].map((to) => sms(to, broadcastId)),
    );

    await until(
      async () =>
        JSON.stringify(await broadcasts.read(broadcastId)) === JSON.stringify({ delivered: 1, undelivered: 2, failed: 1, optedOut: 1 }),
      20_000,
      'the broadcast’s delivery counts',
    );
    // The sink notes a callback once the webhooks app has answered it, which may be after the count moved.
    const callbacksOf = () => sink.callbacks.filter((c) => [delivered, unreachable, filtered, expired].includes(c.to));
    await sink.waitFor(() => callbacksOf().length === 9, 20_000, 'the 9 status callbacks answered');
    expect(finalCallbacksTo(filtered)).toHaveLength(3);
    expect(finalCallbacksTo(expired)).toEqual([expect.objectContaining({ status: 'failed', errorCode: 30036 })]);
    // Every message carried the StatusCallback with its broadcast, and the ValidityPeriod.
    for (const m of sink.messages.filter((m) => m.to !== optedOut)) {
      expect(m.statusCallback).toBe(`${webhooks.url}${CALLBACK_PATH}&broadcast=${broadcastId}`);
      expect(m.validityPeriod).toBe(1);
    }
    expect(callbacksOf().every((c) => c.answered === 204)).toBe(true);

    const metrics = await webhookMetrics();
    expect(metrics).toMatch(/nudges_twilio_message_status_total\{status="undelivered",error_code="30007"\} 1\n/);
    expect(metrics).toMatch(/nudges_twilio_message_status_total\{status="undelivered",error_code="30003"\} 1\n/);
    expect(metrics).toMatch(/nudges_twilio_message_status_total\{status="failed",error_code="30036"\} 1\n/);
    expect(metrics).toMatch(/nudges_twilio_status_callbacks_total\{status="undelivered"\} [4-9]/);
  });

  it('records the final status of a message outside any broadcast, the first final one for good', async () => {
    const to = phone(7201);
    sink.addReceiptRule({ to, receipt: { status: 'delivered', repeat: 2 } });
    await produce(kafka, topic, [sms(to)]);
    await until(() => finalCallbacksTo(to).length === 2, 20_000, 'the receipts of the message');
    const message = sink.messages.find((m) => m.to === to)!;
    expect(message.statusCallback).toBe(`${webhooks.url}${CALLBACK_PATH}`);
    expect(await redis.get(messageStatusKey(message.sid))).toBe('delivered|');
    // A late contradicting report does not change it.
    const late = await postCallback({ MessageSid: message.sid, MessageStatus: 'undelivered', ErrorCode: '30005' });
    expect(late.status).toBe(204);
    expect(await redis.get(messageStatusKey(message.sid))).toBe('delivered|');
  });

  describe('the endpoint', () => {
    const SID = `SM${'7'.repeat(32)}`;

    it('answers hostile or broken requests 401, 415, 413, 403, 400, never 5xx, and records nothing', async () => {
      const ok = { MessageSid: SID, MessageStatus: 'delivered' };
      expect((await fetch(`${webhooks.url}${CALLBACK_PATH}`)).status).toBe(405);
      expect((await postCallback(ok, { path: '/api/TwilioStatusCallback?code=wrong' })).status).toBe(401);
      expect((await postCallback(ok, { contentType: 'application/json' })).status).toBe(415);
      expect((await postCallback({ ...ok, Pad: 'x'.repeat(20_000) })).status).toBe(413);
      expect((await postCallback(ok, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
      expect((await postCallback(ok, { signWith: 'not-the-token' })).status).toBe(403);
      expect((await postCallback({ MessageSid: 'SM1', MessageStatus: 'delivered' })).status).toBe(400);
      expect((await postCallback({ MessageSid: SID, MessageStatus: '<delivered>' })).status).toBe(400);
      expect((await postCallback(ok, { path: `${CALLBACK_PATH}&broadcast=%3Cb%3E` })).status).toBe(400);
      const repeated = await postRaw(`MessageSid=${SID}&MessageStatus=delivered&MessageStatus=failed`);
      expect(repeated.status).toBe(400);
      expect(await redis.get(messageStatusKey(SID))).toBeNull();
    });

    it('takes intermediate and unknown statuses without recording a final one', async () => {
      expect((await postCallback({ MessageSid: SID, MessageStatus: 'sent' })).status).toBe(204);
      expect((await postCallback({ MessageSid: SID, MessageStatus: 'teleported' })).status).toBe(204);
      expect(await redis.get(messageStatusKey(SID))).toBeNull();
    });
  });

  interface PostOptions {
    path?: string;
    contentType?: string;
    signature?: string;
    signWith?: string;
  }

  async function postCallback(params: Record<string, string>, options: PostOptions = {}): Promise<{ status: number; body: string }> {
    const path = options.path ?? CALLBACK_PATH;
    const signature = options.signature ?? twilio.getExpectedTwilioSignature(options.signWith ?? TOKEN, `${webhooks.url}${path}`, params);
    const res = await fetch(`${webhooks.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  /** A body as is, signed the way twilio's library signs repeated parameters. */
  async function postRaw(body: string): Promise<{ status: number }> {
    const params: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(body)) {
      const existing = params[name];
      params[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const signature = twilio.getExpectedTwilioSignature(TOKEN, `${webhooks.url}${CALLBACK_PATH}`, params as Record<string, string>);
    const res = await fetch(`${webhooks.url}${CALLBACK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body,
    });
    return { status: res.status };
  }
});
