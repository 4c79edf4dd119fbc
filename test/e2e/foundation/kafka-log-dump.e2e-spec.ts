// The cluster scenarios explain a SendSms found twice with Kafka's own log (DumpLogSegments):
// checked here against the real broker, with an aborted and a committed transaction.
import { Kafka, logLevel } from 'kafkajs';
import { explainPositions } from '../../support/cluster/log-dump.js';
import { createTopic } from '../../support/notifier/kafka.js';
import { stackEnv, uniqueName } from '../../support/stack.js';

describe("a partition's log as Kafka describes it (real broker)", () => {
  const kafka = new Kafka({ clientId: 'log-dump-e2e', brokers: stackEnv().Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING });
  const topic = uniqueName('log-dump');

  it('shows which producer wrote each copy, and that the first transaction was aborted and the second committed', async () => {
    await createTopic(kafka, topic, 1);
    const producer = kafka.producer({ transactionalId: uniqueName('log-dump-tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const copy = { key: 'subscriber-1', value: 'the same SendSms' };
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [copy, copy] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [copy, copy] });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }

    const lines = explainPositions(topic, 0, [0, 3]);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^0-1 pid \d+ epoch \d+ txn$/);
    expect(lines[1]).toMatch(/^2 ABORT pid \d+ epoch \d+$/);
    expect(lines[2]).toMatch(/^3-4 pid \d+ epoch \d+ txn$/);
    expect(lines[3]).toMatch(/^5 COMMIT pid \d+ epoch \d+$/);
    expect(new Set(lines.map((l) => /pid (\d+)/.exec(l)![1])).size).toBe(1);
  });
});
