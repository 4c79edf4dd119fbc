import { describeLogBetween, parseLogDump } from './log-dump.js';

// Lines as Kafka 3.9's DumpLogSegments prints them (payload lines already dropped by kafkaLogDump).
const batch = (base: number, last: number, pid: number, epoch: number, txn: boolean, control: boolean) =>
  `baseOffset: ${base} lastOffset: ${last} count: ${last - base + 1} baseSequence: 0 lastSequence: ${last - base} producerId: ${pid} producerEpoch: ${epoch} partitionLeaderEpoch: 0 isTransactional: ${txn} isControl: ${control} deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1796656133813 size: 499 magic: 2 compresscodec: none crc: 86272420 isvalid: true`;
const marker = (offset: number, type: 'COMMIT' | 'ABORT') =>
  `| offset: ${offset} CreateTime: 1796656133942 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: ${type} coordinatorEpoch: 2`;

const DUMP = [
  batch(2200, 2224, 7, 3, true, false),
  batch(2225, 2315, 7, 3, true, false),
  batch(2316, 2316, 7, 3, true, true),
  marker(2316, 'ABORT'),
  batch(2317, 2400, 7, 4, true, false),
  batch(2401, 2401, -1, 0, false, false),
  batch(2402, 2402, 7, 4, true, true),
  marker(2402, 'COMMIT'),
  batch(2403, 2500, 7, 5, true, false),
];

describe('log dump reading', () => {
  it('reads batches and gives each control batch its marker', () => {
    const batches = parseLogDump(DUMP);
    expect(batches).toHaveLength(7);
    expect(batches[2]).toEqual({
      baseOffset: 2316,
      lastOffset: 2316,
      producerId: 7,
      producerEpoch: 3,
      transactional: true,
      marker: 'ABORT',
    });
    expect(batches[4]).toEqual({ baseOffset: 2401, lastOffset: 2401, producerId: -1, producerEpoch: 0, transactional: false });
  });

  it('describes the batches holding two copies and how their transactions ended', () => {
    expect(describeLogBetween(parseLogDump(DUMP), 2225, 2317)).toEqual([
      '2225-2315 pid 7 epoch 3 txn',
      '2316 ABORT pid 7 epoch 3',
      '2317-2400 pid 7 epoch 4 txn',
      '2402 COMMIT pid 7 epoch 4',
    ]);
  });

  it('stops at the limit', () => {
    expect(describeLogBetween(parseLogDump(DUMP), 2200, 2500, 2)).toEqual([
      '2200-2224 pid 7 epoch 3 txn',
      '2225-2315 pid 7 epoch 3 txn',
      '… 5 more',
    ]);
  });
});
