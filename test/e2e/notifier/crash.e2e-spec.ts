// Exactly-once under process failure: the built notifier is killed with SIGKILL mid-stream, the
// next one is stopped with SIGTERM mid-stream, a third finishes. Every event must reach the Twilio
// sink exactly once. The sink answers slowly (100 ms) so that, at the kill, dozens of messages
// are in the unavoidable window "Twilio has it, the ledger does not know yet".
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { uniqueName, stackEnv } from '../../support/stack.js';
import { spreadKey, TEST_ACCOUNT_SID, phone, sendSmsJson } from '../../support/notifier/events.js';
import { exactlyOnceProblems, fleetEnv, joinedWithPartitions, startMember, statOf } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, produce, untilAllCommitted } from '../../support/notifier/kafka.js';
import type { AppProcess } from '../../support/app-process.js';

jest.setTimeout(120_000);

const EVENTS = 3000;

describe('notifier exactly-once across kill -9 and SIGTERM', () => {
  const topic = uniqueName('notify-crash');
  let kafka: Kafka;
  let sink: TwilioSink;
  const members: AppProcess[] = [];

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 6);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, latencyMs: 100 });
  });

  afterAll(async () => {
    members.forEach((m) => m.kill('SIGKILL'));
    await Promise.all(members.map((m) => m.exited));
    await sink?.stop();
  });

  it('delivers every event exactly once', async () => {
    const env = fleetEnv({ topic, sink });
    await produce(
      kafka,
      topic,
      Array.from({ length: EVENTS }, (_, i) => ({
        key: spreadKey(i),
        value: sendSmsJson(phone(i), 'SendOtp', 'en-US', { otp: String(100000 + i) }),
      })),
    );

    const first = await startMember(env);
    members.push(first);
    await joinedWithPartitions(first);
    await sink.waitFor((s) => s.messages.length >= 900, 60_000, '900 SMS');
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atKill = sink.messages.length;
    expect(atKill).toBeLessThan(EVENTS);

    const second = await startMember(env);
    members.push(second);
    await sink.waitFor((s) => s.messages.length >= Math.min(atKill + 800, EVENTS - 300), 60_000, '800 more SMS');
    const stoppedAt = Date.now();
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(second.output()).toMatch(/"msg":"consumer stopped"/);

    const third = await startMember(env);
    members.push(third);
    await sink.waitFor((s) => s.countByTo().size >= EVENTS, 90_000, `all ${EVENTS} recipients`);
    // Judge only once every offset is committed: after that no message is in flight or read again.
    await untilAllCommitted(kafka, env.KAFKA_CONSUMER_GROUP!, topic, 30_000);
    expect(exactlyOnceProblems(sink, EVENTS)).toEqual([]);
    // The kill really hit the window: messages Twilio had taken from the killed process were found
    // in its log by the next process instead of being sent again.
    expect(statOf(second, 'foundInProviderLog') + statOf(third, 'foundInProviderLog')).toBeGreaterThan(0);
  });
});
