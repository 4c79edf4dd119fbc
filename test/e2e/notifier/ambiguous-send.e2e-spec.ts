// A send that times out while the provider takes the message later (an overloaded Twilio, or a
// message log that lags): the notifier must neither send it again nor let another instance send
// it while the outcome is unknown. Real Kafka and Redis of the local stack, the gRPC
// LocalizationApi test server and the Twilio sink; the notifier runs in-process.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { DeliveryService } from '../../../apps/notifier/src/delivery/delivery.service.js';
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
import { createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';

jest.setTimeout(60_000);

const TIMEOUT_MS = 1000;
const SETTLE_MS = 4000;
/** The sink answers after the notifier gave up, and lists the message later than a quick retry would look. */
const LATE = { delayMs: 3000, listedAfterMs: 2500 };

describe('notifier after an ambiguous Twilio timeout (Kafka, Redis, Twilio sink)', () => {
  const topic = uniqueName('notify-ambiguous');
  let kafka: Kafka;
  let sink: TwilioSink;
  let localization: LocalizationServer;
  const running: RunningNotifier[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    const stack = stackEnv();
    kafka = plainKafka(stack.Kafka__BrokerList);
    await createTopic(kafka, topic, 1);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    localization = await startLocalizationServer();
    env = {
      Kafka__BrokerList: stack.Kafka__BrokerList,
      REDIS_URL: stack.REDIS_URL,
      REDIS_KEY_PREFIX: `${uniqueName('ambiguous')}:`,
      KAFKA_TOPIC_NOTIFICATIONS: topic,
      KAFKA_TOPIC_DEADLETTER: `${topic}-deadletter`,
      KAFKA_CONSUMER_GROUP: uniqueName('notifier-ambiguous'),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      NOTIFIER: 'twilio',
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
      TWILIO_API_URL: sink.url,
      TWILIO_TIMEOUT_MS: String(TIMEOUT_MS),
      LOCALIZATION_API_URL: localization.url,
      NOTIFIER_RETRY_BASE_MS: '200',
      NOTIFIER_RETRY_MAX_MS: '1000',
      NOTIFIER_CLAIM_LEASE_MS: '3000',
      NOTIFIER_AMBIGUOUS_SETTLE_MS: String(SETTLE_MS),
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    };
  });

  afterAll(async () => {
    for (const notifier of running) await notifier.stop();
    await sink?.stop();
    await localization?.stop();
  });

  const start = async () => {
    const notifier = await startNotifier({ env });
    running.push(notifier);
    return notifier;
  };
  const stop = async (notifier: RunningNotifier) => {
    await notifier.stop();
    running.splice(running.indexOf(notifier), 1);
  };
  const countsOf = (notifier: RunningNotifier) => notifier.app.get(DeliveryService).counts;
  const send = (to: string) => produce(kafka, topic, [{ key: SEND_SMS_KEY, value: sendSmsJson(to, 'WelcomeMessage', 'en-US') }]);
  const delivered = (to: string) => sink.messages.filter((m) => m.to === to);
  const attemptsTo = (to: string) => sink.attempts.filter((a) => a.to === to);
  /** Retries of the Twilio send because it did not answer, from the notifier's /metrics. */
  const noAnswerRetries = async (notifier: RunningNotifier) => {
    const text = await (await fetch(`http://127.0.0.1:${notifier.healthPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.includes('retries_total{') && l.includes('reason="no_answer"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  it('finds a timed-out message the provider lists late, after the settle delay, instead of sending it again', async () => {
    const notifier = await start();
    const to = phone(9101);
    sink.addRule({ to, times: 1, action: LATE });
    await send(to);
    await until(() => countsOf(notifier).delivered + countsOf(notifier)['dead-lettered'] >= 1, 30_000, 'the outcome of the timed-out SMS');

    expect(delivered(to)).toHaveLength(1);
    expect(attemptsTo(to)).toHaveLength(1);
    expect(countsOf(notifier)).toMatchObject({ delivered: 1, foundInProviderLog: 1, 'dead-lettered': 0 });
    expect(await noAnswerRetries(notifier)).toBe(1);
    await stop(notifier);
  });

  it('finds the timed-out message though Smart Encoding changed its text in the log, instead of sending it again', async () => {
    sink.setMessagingService({ smartEncoding: true });
    const notifier = await start();
    const to = phone(9103);
    const smsBody = 'Acme’s “Two-for-one” — today only…';
    try {
      sink.addRule({ to, times: 1, action: LATE });
      await produce(kafka, topic, [
        {
          key: SEND_SMS_KEY,
          value: sendSmsJson(to, 'AnnouncementTemplate', 'en-US', { clientName: 'Acme', smsBody, link: 'https://app.example.com/acme' }),
        },
      ]);
      await until(
        () => countsOf(notifier).delivered + countsOf(notifier)['dead-lettered'] >= 1,
        30_000,
        'the outcome of the timed-out SMS',
      );
      expect(delivered(to)).toHaveLength(1);
      expect(delivered(to)[0]!.body).toContain(`Acme's "Two-for-one" - today only...`);
      expect(attemptsTo(to)).toHaveLength(1);
      expect(countsOf(notifier)).toMatchObject({ delivered: 1, foundInProviderLog: 1 });
    } finally {
      sink.setMessagingService({});
      await stop(notifier);
    }
  });

  it('keeps the claim when stopped during the settle delay, so the next instance looks the message up rather than sending it', async () => {
    const first = await start();
    const to = phone(9102);
    sink.addRule({ to, times: 1, action: LATE });
    await send(to);
    await until(async () => (await noAnswerRetries(first)) >= 1, 15_000, 'the send to time out');
    await stop(first);
    expect(countsOf(first)).toMatchObject({ delivered: 0, abandoned: 1 });

    const next = await start();
    await until(() => countsOf(next).delivered + countsOf(next)['dead-lettered'] >= 1, 30_000, 'the next instance to settle the SMS');
    expect(delivered(to)).toHaveLength(1);
    expect(attemptsTo(to)).toHaveLength(1);
    expect(countsOf(next)).toMatchObject({ delivered: 1, foundInProviderLog: 1 });
  });
});
