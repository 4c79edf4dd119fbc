// PartitionTransactions against the real broker: a new owner of a partition never processes a
// record that an earlier owner's transaction already committed, and fences that owner.
import { Kafka, logLevel } from 'kafkajs';
import { ALREADY_COMMITTED, PartitionTransactions } from '../../../apps/broadcaster/src/fanout/partition-transactions.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { createTopic } from '../../support/notifier/kafka.js';

describe('PartitionTransactions (real Kafka)', () => {
  const kafka = new Kafka({
    clientId: 'partition-transactions-e2e',
    brokers: stackEnv().Kafka__BrokerList.split(','),
    logLevel: logLevel.NOTHING,
  });
  const input = uniqueName('ptx-input');
  const output = uniqueName('ptx-output');
  const groupId = uniqueName('ptx-group');
  const owners: PartitionTransactions[] = [];

  beforeAll(async () => {
    await createTopic(kafka, input, 2);
    await createTopic(kafka, output, 1);
  });

  afterAll(async () => {
    await Promise.all(owners.map((o) => o.closeAll()));
  });

  const owner = (group = groupId) => {
    const o = new PartitionTransactions(kafka, group);
    owners.push(o);
    return o;
  };

  it('commits the produced records with the consumed offset; the next owner answers ALREADY_COMMITTED for that record', async () => {
    const first = owner();
    const consumed = { topic: input, partition: 1, offset: '41' };
    const result = await first.run(consumed, async (out) => {
      await out.send(output, [{ key: 'k', value: 'v' }]);
      return 'done';
    });
    expect(result).toBe('done');
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    expect(offsets!.partitions.find((p) => p.partition === 1)!.offset).toBe('42');

    let ran = false;
    const next = owner();
    const again = await next.run(consumed, async () => {
      ran = true;
    });
    expect(again).toBe(ALREADY_COMMITTED);
    expect(ran).toBe(false);
    await expect(next.run({ ...consumed, offset: '42' }, async () => 'next')).resolves.toBe('next');
  });

  it('answers ALREADY_COMMITTED when the same owner is handed a record it has just committed (a rebalance restarted the partition from an older offset)', async () => {
    const same = owner(uniqueName('ptx-rebalanced-group'));
    let ran = 0;
    const step = async () => {
      ran += 1;
    };
    await expect(same.run({ topic: input, partition: 0, offset: '10' }, step)).resolves.toBeUndefined();
    await expect(same.run({ topic: input, partition: 0, offset: '10' }, step)).resolves.toBe(ALREADY_COMMITTED);
    await expect(same.run({ topic: input, partition: 0, offset: '9' }, step)).resolves.toBe(ALREADY_COMMITTED);
    expect(ran).toBe(1);
  });

  it('fences the previous owner: its next transaction on the partition fails', async () => {
    const old = owner();
    await old.run({ topic: input, partition: 0, offset: '0' }, async () => undefined);
    const successor = owner();
    await successor.run({ topic: input, partition: 0, offset: '1' }, async () => undefined);
    await expect(
      old.run({ topic: input, partition: 0, offset: '2' }, async (out) => out.send(output, [{ key: 'z', value: 'zombie' }])),
    ).rejects.toThrow();
  });
});
