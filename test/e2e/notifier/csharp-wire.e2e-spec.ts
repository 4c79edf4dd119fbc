// The built notifier (a child process, `node dist/apps/notifier/main.js`) against C#-written
// traffic on a real Kafka: both SendSms generations, plain and encrypted numbers, escapes, three
// locales; the other C# traffic of the topic; poison; stale SMS; and taking over the C# handler's
// consumer group without sending what it already handled.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { startLocalizationServer, type LocalizationServer } from '../../../peers/localization/localization-server.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { scrape } from '../../support/metrics/scrape.js';
import { healthPortOf, spawnNotifier, type AppProcess } from '../../support/app-process.js';
import { writeLikeCSharp } from '../../support/csharp/csharp-writer.js';
import { readLikeCSharpOrThrow } from '../../support/csharp/strict-reader.js';
import {
  CLIENT_CREATED,
  CLIENT_CREATED_NOTIFICATION,
  CLIENT_UPDATED,
  SEND_SMS_CURRENT,
  TEST_ENCRYPTION_KEY_BASE64,
  TEST_PHONE_PLAINTEXT,
} from '../../support/csharp/vectors.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import {
  SEND_SMS_KEY,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  earlierSendSmsJson,
  earlierSendSmsKey,
  phone,
  until,
} from '../../support/notifier/events.js';
import { fleetEnv } from '../../support/notifier/fleet.js';
import { collect, createTopic, plainKafka, produce, untilAllCommitted, type RawMessage } from '../../support/notifier/kafka.js';

jest.setTimeout(120_000);

const UPSTREAM_GROUP = 'notifications-listeners';
const cipher = new PhoneCipher(Buffer.from(TEST_ENCRYPTION_KEY_BASE64, 'base64'));

/** A current-generation SendSms value exactly as System.Text.Json writes it. */
const csharpSendSms = (phoneNumber: string, resourceKey: string, locale: string, replacements: Record<string, string> = {}) =>
  writeLikeCSharp('NotificationEvent', {
    $type: 'notification.sendSms',
    PhoneNumber: phoneNumber,
    ResourceKey: resourceKey,
    Locale: locale,
    Replacements: replacements,
  });

describe('notifier on C#-written traffic (built app, Kafka, Redis, gRPC LocalizationApi, Twilio sink)', () => {
  const topic = uniqueName('notify-csharp');
  const deadletterTopic = `${topic}-deadletter`;
  let kafka: Kafka;
  let sink: TwilioSink;
  let localization: LocalizationServer;
  let notifier: AppProcess;
  let metricsUrl: string;
  let deadLetters: Awaited<ReturnType<typeof collect>>;
  const history = [phone(7001), phone(7002), phone(7003)];

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 3);
    await createTopic(kafka, deadletterTopic, 1);
    // What the C# handler already sent: in the topic, and behind the offset its group committed.
    await produce(
      kafka,
      topic,
      history.map((to) => ({ partition: 0, key: SEND_SMS_KEY, value: csharpSendSms(to, 'UserLoggedIn', 'en-US') })),
    );
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: UPSTREAM_GROUP, topic, partitions: [{ partition: 0, offset: String(history.length) }] });
    await admin.disconnect();

    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    localization = await startLocalizationServer();
    notifier = await spawnNotifier(
      // No KAFKA_CONSUMER_GROUP: the default must continue where the C# handler's group stopped.
      fleetEnv({
        topic,
        sink,
        groupId: null,
        extra: { LOCALIZATION_API_URL: localization.url, EncryptionSettings__Key: TEST_ENCRYPTION_KEY_BASE64 },
      }),
      'csharp-wire',
    );
    metricsUrl = `http://127.0.0.1:${await healthPortOf(notifier)}/metrics`;
    deadLetters = await collect(kafka, deadletterTopic);
  });

  afterAll(async () => {
    notifier?.kill('SIGTERM');
    await notifier?.exited;
    await deadLetters?.stop();
    await sink?.stop();
    await localization?.stop();
  });

  const delivered = (to: string) => sink.messages.filter((m) => m.to === to);
  const processed = async (outcome: string) =>
    (await scrape(metricsUrl)).value('nudges_notifier_messages_processed_total', { outcome }) ?? 0;

  it('delivers every C#-written SendSms exactly once, skips the other C# traffic, dead-letters poison in the C# shape, and never sends stale or already-handled SMS', async () => {
    const to = {
      encrypted: phone(7101),
      earlier: phone(7102),
      spanish: phone(7103),
      english: phone(7104),
      fallback: phone(7105),
      escapes: phone(7106),
      last: phone(7107),
    };
    const stale = { otp: phone(7201), announcement: phone(7202) };
    const body = 'Café "Ñ" <&> 😀 +1 `tick`';
    const minutesAgo = (m: number) => String(Date.now() - m * 60_000);
    const messages: RawMessage[] = [
      { key: SEND_SMS_CURRENT.key.json, value: SEND_SMS_CURRENT.value.json },
      { key: SEND_SMS_KEY, value: csharpSendSms(cipher.encrypt(to.encrypted), 'SendOtp', 'en-US', { otp: '482915' }) },
      { key: earlierSendSmsKey(to.earlier), value: earlierSendSmsJson('UserLoggedIn', 'es-ES') },
      { key: SEND_SMS_KEY, value: csharpSendSms(to.spanish, 'AnnouncementSent', 'es-ES', { count: '7' }) },
      { key: SEND_SMS_KEY, value: csharpSendSms(to.english, 'AnnouncementSent', 'en-US', { count: '7' }) },
      { key: SEND_SMS_KEY, value: csharpSendSms(to.fallback, 'AnnouncementSent', 'fr-FR', { count: '7' }) },
      {
        key: SEND_SMS_KEY,
        value: csharpSendSms(to.escapes, 'AnnouncementTemplate', 'es-ES', { clientName: 'Acme', smsBody: body, link: '' }),
      },
      { key: CLIENT_CREATED.key.json, value: CLIENT_CREATED.value.json },
      { key: CLIENT_UPDATED.key.json, value: CLIENT_UPDATED.value.json },
      { key: CLIENT_CREATED_NOTIFICATION.key.json, value: CLIENT_CREATED_NOTIFICATION.value.json },
      { key: SEND_SMS_KEY, value: '{"$type":"notification.sendSms",' },
      {
        key: SEND_SMS_KEY,
        value: JSON.stringify({
          $type: 'notification.sendSms',
          phoneNumber: phone(7301),
          resourceKey: 'UserLoggedIn',
          locale: 'en-US',
          replacements: {},
        }),
      },
      { key: SEND_SMS_KEY, value: earlierSendSmsJson('UserLoggedIn', 'en-US') },
      { key: SEND_SMS_KEY, value: '{"$type":"notification.smsScheduled","ResourceKey":"UserLoggedIn"}' },
      { key: SEND_SMS_KEY, value: csharpSendSms(stale.otp, 'SendOtp', 'en-US', { otp: '111111' }), timestamp: minutesAgo(11) },
      { key: SEND_SMS_KEY, value: csharpSendSms(stale.announcement, 'UserLoggedIn', 'en-US'), timestamp: minutesAgo(25 * 60) },
      { key: SEND_SMS_KEY, value: csharpSendSms(to.last, 'UserLoggedIn', 'en-US') },
    ];
    // All in one partition, as the C# producers' constant key puts them: nothing may block it.
    await produce(
      kafka,
      topic,
      messages.map((m) => ({ ...m, partition: 0 })),
    );

    await untilAllCommitted(kafka, UPSTREAM_GROUP, topic, 60_000);
    for (const recipient of [TEST_PHONE_PLAINTEXT, ...Object.values(to)]) expect(delivered(recipient)).toHaveLength(1);
    expect(delivered(TEST_PHONE_PLAINTEXT)[0]!.body).toContain('47');
    expect(delivered(to.encrypted)[0]!.body).toContain('482915');
    expect(delivered(to.escapes)[0]!.body).toContain(body);
    expect(delivered(to.spanish)[0]!.body).not.toBe(delivered(to.english)[0]!.body);
    expect(delivered(to.fallback)[0]!.body).toBe(delivered(to.english)[0]!.body);
    for (const recipient of [...history, ...Object.values(stale), phone(7301)])
      expect(sink.attempts.filter((a) => a.to === recipient)).toHaveLength(0);
    expect(sink.messages.every((m) => m.to.startsWith('+'))).toBe(true);

    expect(await processed('skipped')).toBe(3);
    expect(await processed('stale')).toBe(2);
    expect(await processed('delivered')).toBe(8);

    await deadLetters.waitFor(4, 15_000);
    expect(deadLetters.messages).toHaveLength(4);
    const records = deadLetters.messages.map((m) => {
      // A C# DeadLetterEvent reader binds key and value (throws otherwise).
      readLikeCSharpOrThrow('DeadLetterEventKey', m.key!);
      const csharp = readLikeCSharpOrThrow('DeadLetterEvent', m.value!);
      expect(csharp).toMatchObject({
        Topic: topic,
        EventKey: { Type: 'MessageFailed' },
        StackTrace: null,
        FailureType: 2,
        AttemptCount: 0,
      });
      const decoded = decodeDeadLetter(m.value);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.value;
    });
    expect(records.map((r) => r.edge?.reasonCode).sort()).toEqual([
      'poison.invalid-fields',
      'poison.invalid-json',
      'poison.no-recipient',
      'poison.unknown-type',
    ]);
    for (const record of records) expect(record.exceptionMessage).not.toMatch(/\d{7}/);
    expect(notifier.output()).not.toMatch(/\+1555\d{7}/);
  });

  it('keeps consuming afterwards: a late C# SendSms is delivered once', async () => {
    const late = phone(7401);
    await produce(kafka, topic, [{ partition: 2, key: SEND_SMS_KEY, value: csharpSendSms(late, 'UserLoggedIn', 'es-ES') }]);
    await until(() => delivered(late).length === 1, 20_000, 'the late SMS');
    await untilAllCommitted(kafka, UPSTREAM_GROUP, topic, 20_000);
    expect(delivered(late)).toHaveLength(1);
  });
});
