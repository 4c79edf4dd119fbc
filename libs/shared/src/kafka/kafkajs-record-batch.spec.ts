// The one-pass writer patches/kafkajs+2.2.4.patch adds to kafkajs' produce request (v3, which every
// later version builds on): when every partition is uncompressed and no message has a timestamp,
// the whole request body is written into one buffer of the exact size. Its bytes must be exactly
// those of kafkajs' own, generic writer, which the request still uses when messages carry
// timestamps: the same messages stamped with the same clock reading take the generic path and must
// give the same request. The request frame (protocol/request.js) is patched the same way.
import { createRequire } from 'node:module';
import { jest } from '@jest/globals';

const require = createRequire(import.meta.url);
type Message = { key?: unknown; value?: unknown; headers?: Record<string, unknown>; timestamp?: number };
type ProduceRequest = ((args: object) => { encode(): Promise<{ buffer: Buffer }> }) & { encodeOnePass?: unknown };
const produceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): unknown };
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { None: number; GZIP: number } };

type Grouping = (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<string, Message[]>;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as Grouping;

type Frame = (args: {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode(): Promise<unknown> };
}) => Promise<{ buffer: Buffer }>;
const createRequest = require('kafkajs/src/protocol/request.js') as Frame;
const Encoder = require('kafkajs/src/protocol/encoder.js') as { wrap?: unknown; new (): { writeString(s: string): { buffer: Buffer } } };

const NOW = 1_765_152_000_123;

async function encode(messages: Message[], options: { transactionalId?: string | null; producerId?: number; firstSequence?: number } = {}) {
  const request = produceRequest({
    acks: -1,
    timeout: 30_000,
    transactionalId: options.transactionalId ?? null,
    producerId: Long.fromValue(options.producerId ?? -1),
    producerEpoch: 3,
    compression: Types.None,
    topicData: [{ topic: 'notifications', partitions: [{ partition: 4, firstSequence: options.firstSequence ?? 0, messages }] }],
  });
  return (await request.encode()).buffer;
}

/** What the patched writer gives, and what kafkajs' generic writer gives for the same messages at the same clock reading. */
async function bothWriters(messages: Message[], options?: Parameters<typeof encode>[1]) {
  const fast = await encode(messages, options);
  const generic = await encode(
    messages.map((m) => ({ ...m, timestamp: NOW })),
    options,
  );
  return { fast, generic };
}

describe('kafkajs produce request: the patched one-pass record batch', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => jest.restoreAllMocks());

  it('is the patched request (the one-pass writer is there)', () => {
    expect(typeof Encoder.wrap).toBe('function');
    expect(typeof produceRequest.encodeOnePass).toBe('function');
  });

  it('writes the bytes kafkajs writes for keys, values and headers of every kind', async () => {
    const messages: Message[] = [
      {
        key: '{"$type":"SendSmsKey","RecipientId":"a1"}',
        value: Buffer.from('{"$type":"SendSms"}'),
        headers: { 'nudges-broadcast-id': 'b-1' },
      },
      { key: null, value: 'plain text value with é and 😀', headers: {} },
      { key: Buffer.from([0, 1, 2, 255]), value: null },
      { key: 'k', value: 'v', headers: { multi: ['one', Buffer.from('two')], empty: '', bytes: Buffer.alloc(0) } },
    ];
    const { fast, generic } = await bothWriters(messages, { transactionalId: 'broadcast-fanout-0', producerId: 7018, firstSequence: 1991 });
    expect(fast.equals(generic)).toBe(true);
    expect(fast.includes(Buffer.from('SendSmsKey'))).toBe(true);
  });

  it('writes multi-byte lengths and offsets the same (values of 200 and 20,000 bytes, 300 records)', async () => {
    const messages: Message[] = Array.from({ length: 300 }, (_, i) => ({
      key: `recipient-${i}`,
      value: Buffer.alloc(i % 2 ? 200 : 20_000, i % 251),
      headers: { 'nudges-broadcast-id': `broadcast-${i % 3}` },
    }));
    const { fast, generic } = await bothWriters(messages, { transactionalId: 'tx', producerId: 2 ** 40 + 5, firstSequence: 2 ** 31 - 300 });
    expect(fast.length).toBeGreaterThan(300 * 200);
    expect(fast.equals(generic)).toBe(true);
  });

  it('writes the same for several topics and partitions in one request', async () => {
    const request = (stamp: boolean) =>
      produceRequest({
        acks: -1,
        timeout: 5_000,
        transactionalId: 'tx-2',
        producerId: Long.fromValue(99),
        producerEpoch: 1,
        compression: Types.None,
        topicData: ['notifications', 'broadcasts'].map((topic, t) => ({
          topic,
          partitions: [0, 3, 5].map((partition) => ({
            partition,
            firstSequence: 10 * partition + t,
            messages: Array.from({ length: partition + 1 }, (_, i) => ({
              key: `${topic}-${i}`,
              value: `v${i}`,
              ...(stamp ? { timestamp: NOW } : {}),
            })),
          })),
        })),
      }).encode();
    expect((await request(false)).buffer.equals((await request(true)).buffer)).toBe(true);
  });

  it('frames a request as kafkajs does: size, api key and version, correlation id, client id, body', async () => {
    const body = Buffer.from('the request body');
    const frame = (clientId: string | null) =>
      createRequest({
        correlationId: 77,
        clientId,
        request: { apiKey: 0, apiVersion: 7, encode: () => Promise.resolve({ buffer: body }) },
      });
    const named = (await frame('broadcaster-é')).buffer;
    const clientId = new Encoder().writeString('broadcaster-é').buffer;
    const expected = Buffer.concat([Buffer.from([0, 0, 0, 8 + clientId.length + body.length, 0, 0, 0, 7, 0, 0, 0, 77]), clientId, body]);
    expect(named.equals(expected)).toBe(true);
    const anonymous = (await frame(null)).buffer;
    expect(anonymous.subarray(12, 14).readInt16BE()).toBe(-1);
    expect(anonymous.subarray(14).equals(body)).toBe(true);
  });

  it('writes the same for a producer that is neither idempotent nor transactional', async () => {
    const { fast, generic } = await bothWriters([{ key: 'a', value: 'b' }]);
    expect(fast.equals(generic)).toBe(true);
  });

  it('leaves what kafkajs refuses to kafkajs (a number key, a null header value)', async () => {
    await expect(encode([{ key: 12345, value: 'v' }])).rejects.toThrow(/"string" argument must be/);
    await expect(encode([{ key: 'k', value: 'v', headers: { h: null } }])).rejects.toThrow(/"string" argument must be/);
  });

  it('changes a byte of the output when a record changes (the comparison can fail)', async () => {
    const one = await encode([{ key: 'a', value: 'b' }]);
    const other = await encode([{ key: 'a', value: 'c' }]);
    expect(one.equals(other)).toBe(false);
  });
});

describe('kafkajs groupMessagesPerPartition (patched to append instead of copying per message)', () => {
  it('groups the messages of a send by partition, each group in send order', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    const partitionOf = (message: Message) => Number(String(message.key).slice(1)) % 7;
    const grouped = groupMessagesPerPartition({
      topic: 'notifications',
      partitionMetadata: [{ partitionId: 0 }],
      messages,
      partitioner: ({ message }) => partitionOf(message),
    });
    expect(Object.keys(grouped)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    for (const [partition, group] of Object.entries(grouped)) {
      expect(group).toEqual(messages.filter((m) => partitionOf(m) === Number(partition)));
    }
  });

  it('gives nothing for a topic without partition metadata', () => {
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{ key: 'a' }], partitioner: () => 0 })).toEqual({});
  });
});
