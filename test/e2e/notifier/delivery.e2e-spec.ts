// The notifier's delivery semantics against real peers: Kafka and Redis of the local stack, the
// gRPC LocalizationApi test server and the failure-injecting Twilio sink. The notifier runs
// in-process, built exactly as main.ts builds it (startNotifier).
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { Redis } from 'ioredis';
import { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { DeliveryService } from '../../../apps/notifier/src/delivery/delivery.service.js';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { startLocalizationServer, type LocalizationServer } from '../../../peers/localization/localization-server.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import {
  SEND_SMS_KEY,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
  phone,
  sendSmsJson,
  until,
} from '../../support/notifier/events.js';
import { collect, createTopic, plainKafka, produce, untilAllCommitted } from '../../support/notifier/kafka.js';

jest.setTimeout(60_000);

describe('notifier delivery (Kafka, Redis, gRPC LocalizationApi, Twilio sink)', () => {
  const topic = uniqueName('notify-delivery');
  const deadletterTopic = uniqueName('deadletter-delivery');
  const groupId = uniqueName('notifier-delivery');
  const key = randomBytes(32);
  const cipher = new PhoneCipher(key);
  let kafka: Kafka;
  let sink: TwilioSink;
  let localization: LocalizationServer;
  let notifier: RunningNotifier;
  let deadLetters: Awaited<ReturnType<typeof collect>>;
  const redisPrefix = `${uniqueName('delivery')}:`;
  let redis: Redis;
  let optOuts: OptOutRegistry;
  let broadcasts: BroadcastDeliveryStore;

  beforeAll(async () => {
    const env = stackEnv();
    kafka = plainKafka(env.Kafka__BrokerList);
    await createTopic(kafka, topic, 3);
    await createTopic(kafka, deadletterTopic, 1);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    localization = await startLocalizationServer();
    notifier = await startNotifier({
      env: {
        Kafka__BrokerList: env.Kafka__BrokerList,
        REDIS_URL: env.REDIS_URL,
        REDIS_KEY_PREFIX: redisPrefix,
        KAFKA_TOPIC_NOTIFICATIONS: topic,
        KAFKA_TOPIC_DEADLETTER: deadletterTopic,
        KAFKA_CONSUMER_GROUP: groupId,
        NOTIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
        TWILIO_API_URL: sink.url,
        LOCALIZATION_API_URL: localization.url,
        EncryptionSettings__Key: key.toString('base64'),
        NOTIFIER_MAX_ATTEMPTS: '6',
        NOTIFIER_RETRY_BASE_MS: '200',
        NOTIFIER_RETRY_MAX_MS: '1000',
        NOTIFIER_BREAKER_COOLDOWN_MS: '1000',
        NOTIFIER_AMBIGUOUS_SETTLE_MS: '1000',
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
    deadLetters = await collect(kafka, deadletterTopic);
    redis = new Redis(env.REDIS_URL, { keyPrefix: redisPrefix });
    optOuts = new OptOutRegistry(redis);
    broadcasts = new BroadcastDeliveryStore(redis);
  });

  afterAll(async () => {
    await notifier?.stop();
    redis?.disconnect();
    await deadLetters?.stop();
    await sink?.stop();
    await localization?.stop();
  });

  const send = (messages: Parameters<typeof produce>[2]) => produce(kafka, topic, messages);
  const sms = (to: string, resourceKey: string, locale: string, replacements: Record<string, string> = {}) => ({
    key: SEND_SMS_KEY,
    value: sendSmsJson(to, resourceKey, locale, replacements),
  });
  const delivered = (to: string) => sink.messages.filter((m) => m.to === to);
  const attemptsTo = (to: string) => sink.attempts.filter((a) => a.to === to);
  const deadLetterFor = async (predicate: (r: DeadLetterRecord, m: KafkaMessage) => boolean, timeoutMs = 15_000) => {
    let found: { record: DeadLetterRecord; message: KafkaMessage } | undefined;
    await until(
      () => {
        for (const message of deadLetters.messages) {
          const decoded = decodeDeadLetter(message.value);
          if (decoded.ok && predicate(decoded.value, message)) found = { record: decoded.value, message };
        }
        return found !== undefined;
      },
      timeoutMs,
      'a dead-letter record',
    );
    return found!;
  };

  it('serves liveness and readiness (Kafka + Redis) on the health port', async () => {
    const live = await fetch(`http://127.0.0.1:${notifier.healthPort}/health`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${notifier.healthPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('localizes through the gRPC LocalizationApi: es-ES, es-MX → es-ES, fr-FR → en-US', async () => {
    const callsBefore = localization.calls;
    const [es, mx, fr] = [phone(1001), phone(1002), phone(1003)];
    await send([
      sms(es, 'AnnouncementSent', 'es-ES', { count: '47' }),
      sms(mx, 'AnnouncementSent', 'es-MX', { count: '12' }),
      sms(fr, 'WelcomeMessage', 'fr-FR'),
    ]);
    await sink.waitFor(() => [es, mx, fr].every((p) => delivered(p).length === 1), 15_000, 'three localized SMS');
    expect(delivered(es)[0]!.body).toBe('Enviado a 47 suscriptores');
    expect(delivered(mx)[0]!.body).toBe('Enviado a 12 suscriptores');
    expect(delivered(fr)[0]!.body).toBe('Welcome to Nudges!');
    expect(delivered(es)[0]!.messagingServiceSid).toBe(TEST_MESSAGING_SERVICE_SID);
    expect(localization.calls).toBeGreaterThan(callsBefore);
  });

  it('decrypts an encrypted phone number before sending', async () => {
    const plain = phone(2001);
    await send([sms(cipher.encrypt(plain), 'WelcomeMessage', 'en-US')]);
    await sink.waitFor(() => delivered(plain).length === 1, 15_000, 'the SMS to the decrypted number');
    expect(sink.messages.some((m) => !m.to.startsWith('+'))).toBe(false);
  });

  it('dead-letters poison immediately with the original bytes, and the next message is still delivered', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    const after = phone(3001);
    await send([
      { partition: 0, key: SEND_SMS_KEY, value: '{"$type":"notification.sendSms",', headers: { traceparent, 'x-origin': 'tests' } },
      { partition: 0, key: notUtf8, value: notUtf8 },
      { partition: 0, ...sms(phone(3002), 'NoSuchResourceKey', 'en-US') },
      { partition: 0, ...sms(Buffer.alloc(40, 7).toString('base64'), 'WelcomeMessage', 'en-US') },
      { partition: 0, ...sms(after, 'WelcomeMessage', 'es-ES') },
    ]);
    await sink.waitFor(() => delivered(after).length === 1, 15_000, 'the message after the poison');
    expect(delivered(after)[0]!.body).toBe('¡Bienvenido a Nudges!');

    const json = await deadLetterFor((r) => r.edge?.reasonCode === 'poison.invalid-json');
    expect(json.record).toMatchObject({
      attemptCount: 0,
      failureType: 2,
      topic,
      stackTrace: null,
      edge: { source: 'notifier', original: { topic, partition: 0 } },
    });
    expect(json.record.edge!.original.value).toEqual({ encoding: 'utf8', data: '{"$type":"notification.sendSms",' });
    expect(json.record.edge!.original.key).toEqual({ encoding: 'utf8', data: SEND_SMS_KEY });
    expect(json.record.edge!.original.headers['x-origin']).toEqual({ encoding: 'utf8', data: 'tests' });
    expect(json.message.headers?.traceparent?.toString()).toBe(traceparent);

    const bytes = await deadLetterFor((r) => r.edge?.reasonCode === 'poison.invalid-utf8' && r.edge?.original.topic === topic);
    expect(bytes.record.edge!.original.value).toEqual({ encoding: 'base64', data: notUtf8.toString('base64') });
    expect(Number(bytes.record.edge!.original.offset)).toBe(Number(json.record.edge!.original.offset) + 1);

    await deadLetterFor((r) => r.edge?.reasonCode === 'poison.unknown-resource-key' && r.edge?.original.topic === topic);
    const phoneRecord = await deadLetterFor((r) => r.edge?.reasonCode === 'poison.phone-decrypt' && r.edge?.original.topic === topic);
    expect(phoneRecord.record.exceptionMessage).not.toMatch(/\d{7}/);
    expect(sink.attempts.some((a) => a.to === phone(3002))).toBe(false);
  });

  it('honours 429 + Retry-After, then delivers once', async () => {
    const to = phone(4001);
    sink.addRule({ to, times: 1, action: { status: 429, code: 20429, retryAfterSeconds: 1 } });
    await send([sms(to, 'WelcomeMessage', 'en-US')]);
    await sink.waitFor(() => delivered(to).length === 1, 15_000, 'the SMS after a 429');
    const attempts = attemptsTo(to);
    expect(attempts.map((a) => a.status)).toEqual([429, 201]);
    expect(attempts[1]!.receivedAt - attempts[0]!.receivedAt).toBeGreaterThanOrEqual(1000);
  });

  it('retries Twilio 5xx with backoff, then delivers once', async () => {
    const to = phone(4002);
    sink.addRule({ to, times: 2, action: { status: 503, code: 20503 } });
    await send([sms(to, 'WelcomeMessage', 'en-US')]);
    await sink.waitFor(() => delivered(to).length === 1, 15_000, 'the SMS after two 503s');
    expect(attemptsTo(to).map((a) => a.status)).toEqual([503, 503, 201]);
  });

  it('dead-letters a permanent Twilio error (21211) with its code and no retry', async () => {
    const invalid = phone(5001);
    sink.addRule({ to: invalid, action: { status: 400, code: 21211 } });
    await send([sms(invalid, 'WelcomeMessage', 'en-US')]);
    const a = await deadLetterFor((r) => r.edge?.reasonCode === 'twilio.21211');
    expect(a.record.attemptCount).toBe(1);
    expect(a.record.exceptionMessage).not.toContain(invalid);
    expect(attemptsTo(invalid)).toHaveLength(1);
    expect(delivered(invalid)).toHaveLength(0);
  });

  it('takes 21610 (the recipient opted out) as an outcome, not an error: no dead letter, counted apart, the number recorded', async () => {
    const [unsubscribed, fromBroadcast] = [phone(5002), phone(5003)];
    const broadcastId = uniqueName('b');
    sink.addRule({ to: unsubscribed, action: { status: 400, code: 21610 } });
    sink.addRule({ to: fromBroadcast, action: { status: 400, code: 21610 } });
    const counts = notifier.app.get(DeliveryService).counts;
    const before = counts['opted-out'];
    await send([
      sms(unsubscribed, 'WelcomeMessage', 'en-US'),
      { ...sms(fromBroadcast, 'WelcomeMessage', 'en-US'), headers: { 'nudges-broadcast-id': broadcastId } },
    ]);
    await until(() => counts['opted-out'] === before + 2, 15_000, 'two opted-out outcomes');
    await untilAllCommitted(kafka, groupId, topic, 20_000);
    expect(attemptsTo(unsubscribed)).toHaveLength(1);
    expect(attemptsTo(fromBroadcast)).toHaveLength(1);
    expect(deadLetters.messages.filter((m) => decodeDeadLetter(m.value).ok && /21610/.test(m.value!.toString()))).toEqual([]);
    expect(await optOuts.areOptedOut([unsubscribed, fromBroadcast, phone(5004)])).toEqual([true, true, false]);
    expect(await broadcasts.read(broadcastId)).toEqual({ delivered: 0, undelivered: 0, failed: 0, optedOut: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${notifier.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/nudges_notifier_messages_processed_total\{outcome="opted-out"\} [1-9]/);
    expect(metrics).not.toMatch(/nudges_notifier_dead_lettered_total\{reason="twilio\.21610"\}/);
  });

  it('sends a broadcast SendSms once however often Kafka holds it (copies carry the same bytes under new timestamps)', async () => {
    const [twice, otherSubscriber] = [phone(5101), phone(5102)];
    const broadcastId = uniqueName('b');
    const copy = (to: string, subscriberId: string) => ({
      key: JSON.stringify({ EventType: 'SendSms', Recipient: subscriberId }),
      value: sendSmsJson(to, 'WelcomeMessage', 'en-US'),
      headers: { 'nudges-broadcast-id': broadcastId },
    });
    // Two sends: each stamps its own CreateTime, so without the broadcast header these would be two events.
    await send([copy(twice, 's-1'), copy(otherSubscriber, 's-2')]);
    await send([copy(twice, 's-1'), copy(otherSubscriber, 's-3')]);
    await untilAllCommitted(kafka, groupId, topic, 20_000);
    expect(attemptsTo(twice)).toHaveLength(1);
    expect(attemptsTo(otherSubscriber)).toHaveLength(2);
  });

  it('does not send twice when Twilio took the message but the answer was lost (looks it up instead)', async () => {
    const to = phone(6001);
    sink.addRule({ to, times: 1, action: { acceptThenDrop: true } });
    const marker = phone(6002);
    await send([sms(to, 'WelcomeMessage', 'en-US')]);
    await until(() => attemptsTo(to).length === 1, 15_000, 'the dropped attempt');
    // A later message proves the notifier moved on; the dropped one must not be re-sent.
    await send([sms(marker, 'WelcomeMessage', 'en-US')]);
    await sink.waitFor(() => delivered(marker).length === 1, 15_000, 'the marker SMS');
    // Every offset committed: the dropped message is settled (looked up, or sent again) for good.
    await untilAllCommitted(kafka, groupId, topic, 20_000);
    expect(delivered(to)).toHaveLength(1);
    expect(attemptsTo(to)).toHaveLength(1);
  });

  it('keeps other messages moving while one answer is slow', async () => {
    const slow = phone(7001);
    const fast = [phone(7002), phone(7003), phone(7004)];
    sink.addRule({ to: slow, times: 1, action: { delayMs: 2500 } });
    await send(
      [sms(slow, 'WelcomeMessage', 'en-US'), ...fast.map((p) => sms(p, 'WelcomeMessage', 'en-US'))].map((m) => ({ ...m, partition: 1 })),
    );
    await sink.waitFor(() => fast.every((p) => delivered(p).length === 1) && delivered(slow).length === 1, 15_000, 'slow and fast SMS');
    const slowAt = delivered(slow)[0]!.receivedAt;
    for (const p of fast) expect(delivered(p)[0]!.receivedAt).toBeLessThan(slowAt + 2000);
    expect(attemptsTo(slow)).toHaveLength(1);
  });

  it('retries while the LocalizationApi is unavailable and delivers once it is back', async () => {
    const to = phone(8001);
    localization.setMode('fail');
    const callsBefore = localization.calls;
    try {
      await send([sms(to, 'AnnouncementSent', 'en-US', { count: '8001' })]);
      await until(() => localization.calls >= callsBefore + 2, 15_000, 'two failed LocalizationApi calls');
    } finally {
      localization.setMode('ok');
    }
    await sink.waitFor(() => delivered(to).length === 1, 15_000, 'the SMS after the LocalizationApi came back');
    expect(delivered(to)[0]!.body).toBe('Sent to 8001 subscribers');
  });

  it('dead-letters with retries-exhausted when the LocalizationApi stays down', async () => {
    const to = phone(8002);
    localization.setMode('fail');
    try {
      await send([sms(to, 'AnnouncementSent', 'en-US', { count: '8002' })]);
      const dead = await deadLetterFor((r) => r.edge?.reasonCode === 'retries-exhausted', 30_000);
      expect(dead.record.attemptCount).toBe(6);
      expect(dead.record.exceptionMessage).toMatch(/LocalizationApi/);
    } finally {
      localization.setMode('ok');
    }
    expect(delivered(to)).toHaveLength(0);
  });
});
