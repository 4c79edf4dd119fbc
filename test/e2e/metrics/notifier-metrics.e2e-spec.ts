// The notifier's /metrics (on its health port) against real Kafka and Redis, the gRPC
// LocalizationApi test server and the failure-injecting Twilio sink. The notifier runs in-process,
// built exactly as main.ts builds it (startNotifier).
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
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
import { committedTotal, createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';
import { scrape, type Scrape } from '../../support/metrics/scrape.js';

const N = (suffix: string) => `nudges_notifier_${suffix}`;

jest.setTimeout(60_000);

describe('notifier /metrics (Kafka, Redis, gRPC LocalizationApi, Twilio sink)', () => {
  const topic = uniqueName('notify-metrics');
  const groupId = uniqueName('notifier-metrics');
  let kafka: Kafka;
  let sink: TwilioSink;
  let localization: LocalizationServer;
  let notifier: RunningNotifier;
  const metrics = () => scrape(`http://127.0.0.1:${notifier.healthPort}/metrics`);
  const lagOf = (page: Scrape, partition: number) => page.value(N('consumer_lag'), { topic, partition: String(partition) });
  const sms = (to: string, partition: number) => ({ partition, key: SEND_SMS_KEY, value: sendSmsJson(to, 'WelcomeMessage', 'en-US') });
  const delivered = (to: string) => sink.messages.filter((m) => m.to === to).length;

  /** Scrapes until `condition` holds for a page; returns that page. */
  async function scrapeUntil(condition: (page: Scrape) => boolean, what: string, timeoutMs = 20_000): Promise<Scrape> {
    let page: Scrape | undefined;
    await until(async () => condition((page = await metrics())), timeoutMs, what);
    return page!;
  }

  beforeAll(async () => {
    const env = stackEnv();
    kafka = plainKafka(env.Kafka__BrokerList);
    await createTopic(kafka, topic, 2);
    await createTopic(kafka, `${topic}-deadletter`, 1);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    localization = await startLocalizationServer();
    notifier = await startNotifier({
      env: {
        Kafka__BrokerList: env.Kafka__BrokerList,
        REDIS_URL: env.REDIS_URL,
        REDIS_KEY_PREFIX: `${uniqueName('metrics')}:`,
        KAFKA_TOPIC_NOTIFICATIONS: topic,
        KAFKA_TOPIC_DEADLETTER: `${topic}-deadletter`,
        KAFKA_CONSUMER_GROUP: groupId,
        NOTIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
        TWILIO_API_URL: sink.url,
        LOCALIZATION_API_URL: localization.url,
        NOTIFIER_MAX_ATTEMPTS: '6',
        NOTIFIER_RETRY_BASE_MS: '100',
        NOTIFIER_RETRY_MAX_MS: '400',
        NOTIFIER_BREAKER_THRESHOLD: '3',
        NOTIFIER_BREAKER_COOLDOWN_MS: '1000',
        NOTIFIER_COMMIT_INTERVAL_MS: '200',
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
  });

  afterAll(async () => {
    await notifier?.stop();
    await sink?.stop();
    await localization?.stop();
  });

  it('serves Prometheus text on the health port, with every circuit breaker closed', async () => {
    const page = await metrics();
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(page.value('nudges_process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const breaker of ['twilio', 'localization', 'redis']) expect(page.value(N('circuit_breaker_state'), { breaker })).toBe(0);
  });

  it('counts consumed, sent, retried, dead-lettered and Twilio errors for good, retryable, refused and poison messages', async () => {
    const [good1, good2, good3, retried, refused] = [phone(5001), phone(5002), phone(5003), phone(5004), phone(5005)];
    sink.addRule({ to: retried, times: 1, action: { status: 503, message: 'Service Unavailable' } });
    sink.addRule({ to: refused, action: { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." } });
    const before = await metrics();
    await produce(kafka, topic, [
      sms(good1, 0),
      sms(retried, 0),
      { partition: 0, key: SEND_SMS_KEY, value: '{"$type":"notification.sendSms",' },
      sms(refused, 0),
      sms(good2, 0),
      sms(good3, 0),
    ]);
    const after = await scrapeUntil(
      (page) =>
        page.delta(before, N('messages_processed_total'), { outcome: 'delivered' }) >= 4 &&
        page.delta(before, N('messages_processed_total'), { outcome: 'dead-lettered' }) >= 2 &&
        lagOf(page, 0) === 0,
      'four deliveries, two dead letters and no lag',
    );
    expect([good1, good2, good3, retried].map(delivered)).toEqual([1, 1, 1, 1]);
    const moved = (name: string, labels: Record<string, string>) => after.delta(before, N(name), labels);
    expect({
      consumed: moved('messages_consumed_total', { topic, partition: '0' }),
      delivered: moved('messages_processed_total', { outcome: 'delivered' }),
      deadLettered: moved('messages_processed_total', { outcome: 'dead-lettered' }),
      sent: moved('sms_sent_total', { notifier: 'twilio' }),
      retriedServerError: moved('retries_total', { dependency: 'twilio', reason: 'server_error' }),
      twilio503: moved('twilio_errors_total', { code: 'http_503' }),
      twilio21211: moved('twilio_errors_total', { code: '21211' }),
      deadLetterPoison: moved('dead_lettered_total', { reason: 'poison.invalid-json' }),
      deadLetterRefused: moved('dead_lettered_total', { reason: 'twilio.21211' }),
      sendsOk: moved('send_duration_seconds_count', { notifier: 'twilio', result: 'ok' }),
      sendsFailed: moved('send_duration_seconds_count', { notifier: 'twilio', result: 'error' }),
    }).toEqual({
      consumed: 6,
      delivered: 4,
      deadLettered: 2,
      sent: 4,
      retriedServerError: 1,
      twilio503: 1,
      twilio21211: 1,
      deadLetterPoison: 1,
      deadLetterRefused: 1,
      sendsOk: 4,
      sendsFailed: 2,
    });
    expect(after.value(N('send_duration_seconds_bucket'), { notifier: 'twilio', result: 'ok', le: '+Inf' })).toBe(
      after.value(N('send_duration_seconds_count'), { notifier: 'twilio', result: 'ok' }),
    );
    // Labels are bounded: no phone number reaches the page.
    expect(after.text).not.toMatch(/555000\d{4}/);
  });

  it('reports the lag of a partition while its backlog is processed, down to 0 when all is committed', async () => {
    const count = 40;
    const recipients = Array.from({ length: count }, (_, i) => phone(6000 + i));
    sink.setLatency(300); // 40 messages, 16 at a time: about a second of backlog
    try {
      await produce(
        kafka,
        topic,
        recipients.map((to) => sms(to, 1)),
      );
      const during = await scrapeUntil((page) => (lagOf(page, 1) ?? 0) > 0, 'a positive lag on partition 1');
      expect(lagOf(during, 1)).toBeLessThanOrEqual(count);
      await sink.waitFor(() => recipients.every((to) => delivered(to) === 1), 30_000, 'the backlog delivered');
      await scrapeUntil((page) => lagOf(page, 1) === 0, 'the lag back to 0');
    } finally {
      sink.setLatency(0);
    }
    await until(async () => (await committedTotal(kafka, groupId, topic)) === 6 + count, 10_000, 'every offset committed');
  });

  it('shows a circuit breaker open (2) during a Twilio outage and closed (0) after it', async () => {
    const to = phone(7001);
    sink.addRule({ to, times: 4, action: { status: 503, message: 'Service Unavailable' } });
    const before = await metrics();
    await produce(kafka, topic, [sms(to, 1)]);
    await scrapeUntil((page) => page.value(N('circuit_breaker_state'), { breaker: 'twilio' }) === 2, 'the twilio breaker open');
    await sink.waitFor(() => delivered(to) === 1, 20_000, 'the SMS after the outage');
    const after = await scrapeUntil(
      (page) => page.value(N('circuit_breaker_state'), { breaker: 'twilio' }) === 0,
      'the twilio breaker closed',
    );
    expect(after.delta(before, N('retries_total'), { dependency: 'twilio', reason: 'server_error' })).toBe(4);
    expect(after.value(N('circuit_breaker_state'), { breaker: 'localization' })).toBe(0);
  });
});
