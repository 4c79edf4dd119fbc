import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { murmur2, murmur2OfString, Murmur2Partitioner, partitionOfKey } from './murmur2-partitioner.js';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('Murmur2Partitioner', () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  const ours = Murmur2Partitioner();

  it('picks the same partition as kafkajs’ DefaultPartitioner for any key and partition count', () => {
    const key = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary-ascii', maxLength: 80 }),
      fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)),
      fc.uuid().map((id) => `{"eventType":"SendSms","recipient":"${Buffer.from(`Subscriber:${id}`).toString('base64')}"}`),
    );
    fc.assert(
      fc.property(key, fc.integer({ min: 1, max: 64 }), (k, count) => {
        const args = { topic: 't', partitionMetadata: metadata(count), message: { key: k, value: 'v' } };
        expect(ours(args)).toBe(kafkajs(args));
        expect(partitionOfKey(k, count)).toBe(kafkajs(args));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the Java client’s murmur2 reference values', () => {
    // Values from Apache Kafka's UtilsTest.testMurmur2.
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [text, hash] of cases) {
      expect(murmur2(Buffer.from(text))).toBe(hash);
      expect(murmur2OfString(text)).toBe(hash);
    }
    expect(murmur2OfString('ñ😀')).toBe(murmur2(Buffer.from('ñ😀', 'utf8')));
    const long = 'k'.repeat(5000) + 'z';
    expect(murmur2OfString(long)).toBe(murmur2(Buffer.from(long)));
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(murmur2(Buffer.from('abc')));
  });

  it('keeps a message’s own partition', () => {
    expect(ours({ topic: 't', partitionMetadata: metadata(6), message: { key: 'k', value: 'v', partition: 4 } })).toBe(4);
  });

  it('spreads keyless messages round robin over the partitions that have a leader', () => {
    const partitionMetadata = metadata(4, [1]);
    const picked = Array.from({ length: 6 }, () => ours({ topic: 'keyless', partitionMetadata, message: { key: null, value: 'v' } }));
    expect(new Set(picked)).toEqual(new Set([0, 2, 3]));
    expect(picked[3]).toBe(picked[0]);
  });
});
