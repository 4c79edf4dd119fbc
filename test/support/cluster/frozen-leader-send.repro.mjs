#!/usr/bin/env node
// Reproduces the record loss the frozen-broker scenario (C3) found in kafkajs 2.2.4: one send() of
// records for partitions on all three nodes while the leader of two of them is frozen. The other
// leaders answer; the frozen one's request fails (request timeout, or NOT_LEADER after the thaw);
// kafkajs retries only the brokers that have not answered yet (`responsePerBroker` in
// src/producer/sendMessages.js), but the two partitions now belong to brokers that did answer, so
// their records are never sent again and send() resolves without them. Exit code 1 when records
// are missing (the bug), 0 when every partition got its record.
//
//   STACK_KAFKA_BROKERS=3 node scripts/stack.mjs up kafka
//   STACK_KAFKA_BROKERS=3 node test/support/cluster/frozen-leader-send.repro.mjs [plain|idempotent|transactional]
import { Kafka, logLevel } from 'kafkajs';

process.env.STACK_KAFKA_BROKERS ??= '3';
const stack = await import('../../../scripts/stack.mjs');
const mode = process.argv[2] ?? 'plain';
const FROZEN = 1; // kafka-2: leads partitions 1 and 4 below
const FREEZE_MS = 30_000;
const PARTITIONS = [0, 1, 2, 3, 4, 5];

// The apps' client gives up on a request after 15 s (libs/shared/src/kafka/kafka-client.factory.ts).
const kafka = new Kafka({
  clientId: 'frozen-leader-send',
  brokers: stack.stackEnv().Kafka__BrokerList.split(','),
  requestTimeout: 15_000,
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
await admin.connect();
const topic = `frozen-leader-send-${Date.now().toString(36)}`;
await admin.createTopics({
  waitForLeaders: false,
  topics: [
    {
      topic,
      replicaAssignment: PARTITIONS.map((p) => ({ partition: p, replicas: [0, 1, 2].map((k) => 1 + ((p + k) % 3)) })),
      configEntries: [{ name: 'min.insync.replicas', value: '2' }],
    },
  ],
});
for (;;) {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => ({ topics: [] }));
  if (topics[0]?.partitions.length === PARTITIONS.length && topics[0].partitions.every((p) => p.isr.length === 3)) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const producer = kafka.producer(
  mode === 'plain' ? {} : { idempotent: true, maxInFlightRequests: 1, ...(mode === 'transactional' ? { transactionalId: topic } : {}) },
);
await producer.connect();
const send = async (value) => {
  const messages = PARTITIONS.map((partition) => ({ partition, value: `${value}-${partition}` }));
  if (mode !== 'transactional') return producer.send({ topic, acks: -1, messages });
  const transaction = await producer.transaction();
  const written = await transaction.send({ topic, acks: -1, messages });
  await transaction.commit();
  return written;
};
await send('before');

await stack.freezeKafkaNode(FROZEN);
const started = Date.now();
const thaw = new Promise((resolve) => setTimeout(resolve, FREEZE_MS)).then(() => stack.thawKafkaNode(FROZEN));
const outcome = await send('during').then(
  (written) => `resolved with partitions ${written.map((w) => w.partition).sort()}`,
  (err) => `rejected: ${err.message}`,
);
await thaw;
console.log(`${mode}: send() ${outcome} after ${Date.now() - started} ms (the node was thawed after ${FREEZE_MS} ms)`);
await producer.disconnect();

const reader = kafka.consumer({ groupId: `${topic}-reader`, readUncommitted: false });
await reader.connect();
await reader.subscribe({ topic, fromBeginning: true });
const seen = new Set();
await reader.run({ eachMessage: async ({ message }) => void seen.add(message.value.toString()) });
const deadline = Date.now() + 30_000;
while (Date.now() < deadline && !PARTITIONS.every((p) => seen.has(`during-${p}`))) await new Promise((resolve) => setTimeout(resolve, 500));
await reader.disconnect();
await admin.disconnect();
const missing = PARTITIONS.filter((p) => !seen.has(`during-${p}`));
console.log(missing.length ? `records missing for partitions ${missing} (lost)` : 'every partition has its record');
process.exit(missing.length && outcome.startsWith('resolved') ? 1 : 0);
