// TWILIO_MAX_MPS pacing across partitions, and heartbeats during a wait longer than the session
// timeout (a Retry-After of 9 s with a 6 s session) keeping the group stable.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import {
  spreadKey,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
  phone,
  sendSmsJson,
} from '../../support/notifier/events.js';
import { createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';

jest.setTimeout(60_000);

describe('notifier pacing and heartbeats', () => {
  let kafka: Kafka;
  let sink: TwilioSink;
  let notifier: RunningNotifier | undefined;

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID });
  });

  afterEach(async () => {
    await notifier?.stop();
    notifier = undefined;
  });

  afterAll(async () => {
    await sink?.stop();
  });

  async function start(topic: string, groupId: string, extra: Record<string, string>): Promise<RunningNotifier> {
    const env = stackEnv();
    await createTopic(kafka, topic, 6);
    return startNotifier({
      env: {
        Kafka__BrokerList: env.Kafka__BrokerList,
        REDIS_URL: env.REDIS_URL,
        REDIS_KEY_PREFIX: `${uniqueName('pacing')}:`,
        KAFKA_TOPIC_NOTIFICATIONS: topic,
        KAFKA_TOPIC_DEADLETTER: `${topic}-deadletter`,
        KAFKA_CONSUMER_GROUP: groupId,
        NOTIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
        TWILIO_API_URL: sink.url,
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        ...extra,
      },
    });
  }

  it('caps the send rate of one process at TWILIO_MAX_MPS across all partitions', async () => {
    const topic = uniqueName('notify-pacing');
    notifier = await start(topic, uniqueName('notifier-pacing'), { TWILIO_MAX_MPS: '20' });
    const base = 20_000;
    const count = 81;
    await produce(
      kafka,
      topic,
      Array.from({ length: count }, (_, i) => ({ key: spreadKey(i), value: sendSmsJson(phone(base + i), 'WelcomeMessage', 'en-US') })),
    );
    await sink.waitFor(
      (s) => s.messages.filter((m) => m.to >= phone(base) && m.to < phone(base + count)).length === count,
      20_000,
      `${count} paced SMS`,
    );
    const times = sink.messages
      .filter((m) => m.to >= phone(base) && m.to < phone(base + count))
      .map((m) => m.receivedAt)
      .sort((a, b) => a - b);
    // Least-squares slope of arrival time over arrival index: one late start or a scheduling hiccup
    // of the (busy) test machine moves it far less than first-to-last would.
    const rate = 1000 / slope(times);
    expect(rate).toBeGreaterThan(18);
    expect(rate).toBeLessThan(22);
    // (That no stall is followed by a burst is a unit test of the Pacer: arrival times at the sink,
    // which shares this busy test process, bunch up on their own.)
  });

  it('keeps heartbeating while a message waits longer than the session timeout', async () => {
    const topic = uniqueName('notify-heartbeat');
    const groupId = uniqueName('notifier-heartbeat');
    notifier = await start(topic, groupId, { KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000' });
    const to = phone(30_000);
    sink.addRule({ to, times: 1, action: { status: 429, code: 20429, retryAfterSeconds: 9 } });
    const before = await describeGroup(groupId);
    await produce(kafka, topic, [{ key: spreadKey('hb'), value: sendSmsJson(to, 'WelcomeMessage', 'en-US') }]);
    await sink.waitFor((s) => s.messages.some((m) => m.to === to), 30_000, 'the SMS after a 9 s Retry-After');
    const attempts = sink.attempts.filter((a) => a.to === to);
    expect(attempts.map((a) => a.status)).toEqual([429, 201]);
    expect(attempts[1]!.receivedAt - attempts[0]!.receivedAt).toBeGreaterThanOrEqual(9000);
    const after = await describeGroup(groupId);
    expect(after.state).toBe('Stable');
    expect(after.members).toEqual(before.members); // same member: no session expiry, no rejoin
  });

  async function describeGroup(groupId: string): Promise<{ state: string; members: string[] }> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      return { state: groups[0]!.state, members: groups[0]!.members.map((m) => m.memberId).sort() };
    } finally {
      await admin.disconnect();
    }
  }
});

function slope(ys: number[]): number {
  const n = ys.length;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}
