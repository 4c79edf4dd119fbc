// Scale-out: three built notifier processes share a 6-partition topic in one consumer group; one
// is killed with SIGKILL mid-stream. Its partitions move to the other two, its in-flight claims
// are recovered, and every event reaches the Twilio sink exactly once.
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { uniqueName, stackEnv } from '../../support/stack.js';
import { spreadKey, TEST_ACCOUNT_SID, phone, sendSmsJson, until } from '../../support/notifier/events.js';
import { exactlyOnceProblems, fleetEnv, joinedWithPartitions, startMember, statOf } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, produce, untilAllCommitted } from '../../support/notifier/kafka.js';
import type { AppProcess } from '../../support/app-process.js';

jest.setTimeout(120_000);

const EVENTS = 3000;

describe('notifier scale-out: 3 processes, 6 partitions, one killed', () => {
  const topic = uniqueName('notify-scale');
  let kafka: Kafka;
  let sink: TwilioSink;
  const members: AppProcess[] = [];

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 6);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, latencyMs: 50 });
  });

  afterAll(async () => {
    const started = members.filter(Boolean);
    started.forEach((m) => m.kill('SIGKILL'));
    await Promise.all(started.map((m) => m.exited));
    await sink?.stop();
  });

  it('shares the partitions and loses or duplicates nothing when a member dies', async () => {
    // Paced per process, so the stream lasts long enough for all three to take part.
    const env = fleetEnv({ topic, sink, extra: { TWILIO_MAX_MPS: '250' } });
    // Each member is registered as soon as it runs, so afterAll stops it even if another failed to start.
    await Promise.all([0, 1, 2].map(async (slot) => (members[slot] = await startMember(env))));
    await Promise.all(members.map((m) => joinedWithPartitions(m)));
    // Each member's latest assignment covers 2 of the 6 partitions once all three are in.
    await until(() => members.every((m) => lastAssignmentSize(m) === 2), 30_000, 'an even assignment');

    await produce(
      kafka,
      topic,
      Array.from({ length: EVENTS }, (_, i) => ({
        key: spreadKey(i),
        value: sendSmsJson(phone(i), 'SendOtp', 'es-ES', { otp: String(200000 + i) }),
      })),
    );
    await sink.waitFor((s) => s.messages.length >= 900, 60_000, '900 SMS');
    const [survivorA, victim, survivorB] = members as [AppProcess, AppProcess, AppProcess];
    await until(() => members.every((m) => statOf(m, 'delivered') > 0), 10_000, 'every member delivering');
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    await sink.waitFor((s) => s.countByTo().size >= EVENTS, 90_000, `all ${EVENTS} recipients`);
    await untilAllCommitted(kafka, env.KAFKA_CONSUMER_GROUP!, topic, 30_000);
    expect(exactlyOnceProblems(sink, EVENTS)).toEqual([]);
    expect(sink.messages.every((m) => m.body.startsWith('Tu código'))).toBe(true);
    // The survivors took over the victim's partitions (a rebalance gave them 3 each).
    await until(
      () => lastAssignmentSize(survivorA) === 3 && lastAssignmentSize(survivorB) === 3,
      10_000,
      'the survivors to hold 3 partitions each',
    );
  });
});

function lastAssignmentSize(member: AppProcess): number {
  const lines = member
    .output()
    .split('\n')
    .filter((l) => l.includes('"msg":"joined consumer group"'));
  const last = lines.at(-1);
  if (!last) return -1;
  const assignment = (JSON.parse(last) as { assignment: Record<string, number[]> }).assignment;
  return Object.values(assignment).reduce((n, partitions) => n + partitions.length, 0);
}
