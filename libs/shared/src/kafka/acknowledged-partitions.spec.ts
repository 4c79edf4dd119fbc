import type { PartitionerArgs, RecordMetadata } from 'kafkajs';
import { AcknowledgedPartitions, RepeatedPartitionsError, UnacknowledgedPartitionsError } from './acknowledged-partitions.js';
import { partitionOfKey } from './murmur2-partitioner.js';

const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] }));
const ack = (topic: string, partition: number): RecordMetadata => ({ topicName: topic, partition, errorCode: 0 });

describe('AcknowledgedPartitions', () => {
  const keys = Array.from({ length: 40 }, (_, i) => `{"EventType":"SendSms","Recipient":"s${i}"}`);

  function routed(): { acknowledged: AcknowledgedPartitions; partitions: number[] } {
    const acknowledged = new AcknowledgedPartitions();
    const route = acknowledged.partitioner();
    const partitions = keys.map((key) => route({ topic: 't', partitionMetadata, message: { key, value: 'v' } } as PartitionerArgs));
    return { acknowledged, partitions };
  }

  it('routes like Kafka’s default partitioner', () => {
    expect(routed().partitions).toEqual(keys.map((k) => partitionOfKey(k, 6)));
  });

  it('accepts a send acknowledged for every partition its messages went to', () => {
    const { acknowledged, partitions } = routed();
    const answer = [...new Set(partitions)].map((p) => ack('t', p));
    expect(() =>
      acknowledged.check(
        't',
        keys.map((key) => ({ key })),
        answer,
      ),
    ).not.toThrow();
  });

  it('refuses one whose answer lacks a partition (kafkajs lost its records), naming it', () => {
    const { acknowledged, partitions } = routed();
    const [lost, ...kept] = [...new Set(partitions)].sort((a, b) => a - b);
    const check = () =>
      acknowledged.check(
        't',
        keys.map((key) => ({ key })),
        kept.map((p) => ack('t', p)),
      );
    expect(check).toThrow(UnacknowledgedPartitionsError);
    expect(check).toThrow(`Kafka did not acknowledge partitions ${lost} of t`);
  });

  it('checks explicit partitions too, and cannot judge a topic it has not routed', () => {
    const { acknowledged } = routed();
    expect(() => acknowledged.check('t', [{ partition: 5 }], [ack('t', 4)])).toThrow(UnacknowledgedPartitionsError);
    expect(() => acknowledged.check('other', [{ key: 'k' }], [])).not.toThrow();
  });

  it('refuses, for a transaction, an answer that lists a partition twice (kafkajs wrote its records twice)', () => {
    const { acknowledged, partitions } = routed();
    const distinct = [...new Set(partitions)].sort((a, b) => a - b);
    const messages = keys.map((key) => ({ key }));
    const once = distinct.map((p) => ack('t', p));
    const twice = [...once, ack('t', distinct[1]!), ack('t', distinct[0]!), ack('other', distinct[0]!)];
    expect(() => acknowledged.checkWrittenOnce('t', messages, once)).not.toThrow();
    expect(() => acknowledged.check('t', messages, twice)).not.toThrow();
    expect(() => acknowledged.checkWrittenOnce('t', messages, twice)).toThrow(RepeatedPartitionsError);
    expect(() => acknowledged.checkWrittenOnce('t', messages, twice)).toThrow(
      `Kafka acknowledged partitions ${distinct[0]}, ${distinct[1]} of t twice`,
    );
    expect(() => acknowledged.checkWrittenOnce('t', messages, once.slice(1))).toThrow(UnacknowledgedPartitionsError);
  });
});
