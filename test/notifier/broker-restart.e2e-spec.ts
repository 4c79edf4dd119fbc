// Exactly-once across a broker restart: the built notifier streams from a Kafka broker of the
// test's own, which is stopped mid-stream and started again on the same port with its data.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../peers/twilio-sink/twilio-sink.js';
import { uniqueName } from '../support/stack.js';
import { spreadKey, TEST_ACCOUNT_SID, phone, sendSmsJson } from './support/events.js';
import { exactlyOnceProblems, fleetEnv, joinedWithPartitions, startMember } from './support/fleet.js';
import { createTopic, plainKafka, produce } from './support/kafka.js';
import type { AppProcess } from '../support/app-process.js';
import { startPrivateBroker, type PrivateBroker } from './support/private-broker.js';

jest.setTimeout(180_000);

const EVENTS = 3000;

describe('notifier exactly-once across a Kafka broker restart', () => {
  const topic = uniqueName('notify-broker');
  let broker: PrivateBroker;
  let kafka: Kafka;
  let sink: TwilioSink;
  let member: AppProcess | undefined;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    kafka = plainKafka(broker.brokers);
    await createTopic(kafka, topic, 6);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, latencyMs: 20 });
  });

  afterAll(async () => {
    member?.kill('SIGKILL');
    await member?.exited;
    await sink?.stop();
    await broker?.destroy();
  });

  it('delivers every event exactly once when the broker goes away mid-stream and comes back', async () => {
    await produce(
      kafka,
      topic,
      Array.from({ length: EVENTS }, (_, i) => ({ key: spreadKey(i), value: sendSmsJson(phone(i), 'WelcomeMessage', 'es-ES') })),
    );
    // Paced so that the stream is still running while the broker is down.
    member = await startMember(fleetEnv({ topic, sink, brokers: broker.brokers, extra: { TWILIO_MAX_MPS: '300' } }));
    await joinedWithPartitions(member);
    await sink.waitFor((s) => s.messages.length >= 800, 60_000, '800 SMS');

    await broker.stop();
    const duringOutage = sink.messages.length;
    await new Promise((r) => setTimeout(r, 3000));
    await broker.start();

    await sink.waitFor((s) => s.countByTo().size >= EVENTS, 120_000, `all ${EVENTS} recipients`);
    await new Promise((r) => setTimeout(r, 2000));
    expect(duringOutage).toBeLessThan(EVENTS);
    expect(exactlyOnceProblems(sink, EVENTS)).toEqual([]);
    // The consumer lost the broker and came back (it did not just finish before the stop).
    expect(member.output()).toMatch(/"msg":"(consumer crashed|heartbeat failed; ending the batch|offset commit failed)"/);
  });
});
