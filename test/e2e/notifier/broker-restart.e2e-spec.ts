// Exactly-once across a broker restart: the built notifier streams from a Kafka broker of the
// test's own, which is stopped mid-stream and started again on the same port with its data.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { uniqueName } from '../../support/stack.js';
import { spreadKey, TEST_ACCOUNT_SID, phone, sendSmsJson, until } from '../../support/notifier/events.js';
import { exactlyOnceProblems, fleetEnv, joinedWithPartitions, startMember } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, produce, untilAllCommitted } from '../../support/notifier/kafka.js';
import type { AppProcess } from '../../support/app-process.js';
import { startPrivateBroker, type PrivateBroker } from '../../support/notifier/private-broker.js';

jest.setTimeout(180_000);

/** What the notifier logs when it loses the broker: its own warnings, or kafkajs' connection errors. */
const BROKER_LOST = /"msg":"(consumer crashed|heartbeat failed; ending the batch|offset commit failed)"|ECONNREFUSED|Connection error/;
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
    const env = fleetEnv({ topic, sink, brokers: broker.brokers, extra: { TWILIO_MAX_MPS: '300' } });
    member = await startMember(env);
    await joinedWithPartitions(member);
    await sink.waitFor((s) => s.messages.length >= 800, 60_000, '800 SMS');

    const outputBefore = member.output().length;
    await broker.stop();
    const duringOutage = sink.messages.length;
    // The broker stays away until the notifier has noticed (a heartbeat, commit or fetch failed).
    await until(() => BROKER_LOST.test(member!.output().slice(outputBefore)), 30_000, 'the notifier to notice the broker is gone');
    await broker.start();

    await sink.waitFor((s) => s.countByTo().size >= EVENTS, 120_000, `all ${EVENTS} recipients`);
    await untilAllCommitted(kafka, env.KAFKA_CONSUMER_GROUP!, topic, 60_000);
    expect(duringOutage).toBeLessThan(EVENTS);
    expect(exactlyOnceProblems(sink, EVENTS)).toEqual([]);
  });
});
