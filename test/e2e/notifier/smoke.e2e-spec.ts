// Foundation smoke test: the BUILT notifier app (node dist/…/main.js) in development mode reads a
// notification.sendSms written by a plain kafkajs producer in the exact JSON a C# producer writes,
// and its LocalNotifier prints the rendered SMS with the phone masked. Also: health endpoints,
// graceful SIGTERM, and start-up failure for NOTIFIER=twilio without credentials.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { SEND_SMS_KEY, until } from '../../support/notifier/events.js';
import { committedTotal, createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';
import { healthPortOf, spawnNotifier, type AppProcess } from '../../support/app-process.js';

jest.setTimeout(90_000);

// Byte for byte what System.Text.Json writes for SendSmsNotificationEvent (polymorphic, camelCase).
const CSHARP_SPANISH = String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B15555550100","ResourceKey":"AnnouncementSent","Locale":"es-ES","Replacements":{"count":"47"}}`;
const CSHARP_ENGLISH = String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B15555550123","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}`;

describe('notifier app (built, child process) with the LocalNotifier', () => {
  const topic = uniqueName('notify-smoke');
  const group = uniqueName('notifier-smoke');
  let kafka: Kafka;
  let notifier: AppProcess | undefined;

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 2);
  });

  afterAll(() => notifier?.kill('SIGKILL'));

  it('prints the rendered SMS (masked phone, text) for C#-shaped events, serves health, and stops cleanly on SIGTERM', async () => {
    const env = stackEnv();
    notifier = await spawnNotifier({
      NODE_ENV: 'development', // selects the LocalNotifier (no NOTIFIER set) and pretty logs
      Kafka__BrokerList: env.Kafka__BrokerList,
      REDIS_URL: env.REDIS_URL,
      REDIS_KEY_PREFIX: `${uniqueName('smoke')}:`,
      KAFKA_TOPIC_NOTIFICATIONS: topic,
      KAFKA_TOPIC_DEADLETTER: uniqueName('deadletter-smoke'),
      KAFKA_CONSUMER_GROUP: group,
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
    });
    const healthPort = await healthPortOf(notifier);

    await produce(kafka, topic, [
      { key: SEND_SMS_KEY, value: CSHARP_SPANISH },
      { key: SEND_SMS_KEY, value: CSHARP_ENGLISH },
    ]);
    await notifier.waitForOutput(/SMS to \+\*{7}0100: Enviado a 47 suscriptores/, 30_000);
    await notifier.waitForOutput(/SMS to \+\*{7}0123: Welcome to Nudges!/, 30_000);
    expect(notifier.output()).toMatch(/NOTIFIER=local/);
    expect(notifier.output()).not.toContain('+15555550100');
    expect(notifier.output()).not.toContain('+15555550123');

    const live = await fetch(`http://127.0.0.1:${healthPort}/health`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/health/ready`);
    expect(ready.status).toBe(200);

    await until(async () => (await committedTotal(kafka, group, topic)) === 2, 15_000, 'both offsets committed');
    const stoppedAt = Date.now();
    notifier.kill('SIGTERM');
    expect(await notifier.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  });

  it('refuses to start as NOTIFIER=twilio without Twilio credentials, naming each missing variable', async () => {
    const env = stackEnv();
    const failing = await spawnNotifier({ NOTIFIER: 'twilio', Kafka__BrokerList: env.Kafka__BrokerList, REDIS_URL: env.REDIS_URL });
    expect(await failing.exited).toBe(1);
    const output = failing.output();
    expect(output).toMatch(/notifier: invalid configuration/);
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_MESSAGE_SERVICE_SID']) {
      expect(output).toMatch(new RegExp(`^\\s+${name}: is required`, 'm'));
    }
    expect(output).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});
