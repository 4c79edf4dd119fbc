import { PartitionBatch, type BatchControls, type BatchPayload, type PartitionBatchOptions } from './partition-batch.js';
import type { InboundMessage } from './inbound-message.js';

/** A kafkajs eachBatch payload of `offsets`, recording what the batch resolves, commits and beats. */
function fakePayload(offsets: string[], lastOffset = offsets[offsets.length - 1]!) {
  const recorded = { resolved: [] as string[], commits: [] as string[], heartbeats: 0, heartbeatError: undefined as Error | undefined };
  const payload = {
    batch: {
      topic: 'notifications',
      partition: 0,
      messages: offsets.map((offset) => ({ offset, timestamp: '0', key: null, value: Buffer.from(offset), headers: {}, attributes: 0 })),
      highWatermark: String(BigInt(lastOffset) + 1n),
      offsetLag: () => '0',
      lastOffset: () => lastOffset,
    },
    resolveOffset: (offset: string) => void recorded.resolved.push(offset),
    heartbeat: async () => {
      recorded.heartbeats += 1;
      if (recorded.heartbeatError) throw recorded.heartbeatError;
    },
    commitOffsetsIfNecessary: async (commit: { topics: { partitions: { offset: string }[] }[] }) =>
      void recorded.commits.push(commit.topics[0]!.partitions[0]!.offset),
    isRunning: () => true,
    isStale: () => false,
  } as unknown as BatchPayload;
  return { payload, recorded };
}

const options = (extra: Partial<PartitionBatchOptions> = {}): PartitionBatchOptions => ({
  messageConcurrency: 2,
  heartbeatIntervalMs: 3000,
  commitIntervalMs: 60_000,
  stopping: new AbortController().signal,
  logger: { warn: () => undefined },
  ...extra,
});

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PartitionBatch', () => {
  it('processes every message with at most messageConcurrency at once, then commits past the last offset', async () => {
    const { payload, recorded } = fakePayload(['10', '11', '12', '13', '14']);
    let running = 0;
    let most = 0;
    const seen: string[] = [];
    await new PartitionBatch(
      payload,
      async (message) => {
        most = Math.max(most, ++running);
        await tick();
        running -= 1;
        seen.push(message.offset);
        return 'settled';
      },
      options(),
    ).run();
    expect(seen.sort()).toEqual(['10', '11', '12', '13', '14']);
    expect(most).toBe(2);
    expect(recorded.resolved.at(-1)).toBe('14');
    expect(recorded.commits).toEqual(['15']);
  });

  it('commits only up to the first unsettled message', async () => {
    const { payload, recorded } = fakePayload(['10', '11', '12', '13']);
    await new PartitionBatch(payload, async (message) => (message.offset === '11' ? 'unsettled' : 'settled'), options()).run();
    expect(recorded.resolved).toEqual(['10']);
    expect(recorded.commits).toEqual(['11']);
  });

  it('commits past trailing control records (transaction markers) when every message settled', async () => {
    const { payload, recorded } = fakePayload(['10', '11'], '13');
    await new PartitionBatch(payload, async () => 'settled', options()).run();
    expect(recorded.commits).toEqual(['14']);
  });

  it('commits while the batch runs once the commit interval has passed', async () => {
    const { payload, recorded } = fakePayload(['10', '11', '12']);
    await new PartitionBatch(
      payload,
      async (message) => {
        await tick(Number(message.offset) - 9);
        return 'settled';
      },
      options({ messageConcurrency: 1, commitIntervalMs: 0 }),
    ).run();
    expect(recorded.commits).toEqual(['11', '12', '13']);
  });

  it('ends the batch when a heartbeat fails: waiting messages are abandoned, the settled prefix committed, the error rethrown', async () => {
    const { payload, recorded } = fakePayload(['10', '11', '12']);
    recorded.heartbeatError = new Error('REBALANCE_IN_PROGRESS');
    const started: InboundMessage[] = [];
    const run = new PartitionBatch(
      payload,
      async (message, controls: BatchControls) => {
        started.push(message);
        if (message.offset === '10') return 'settled';
        await controls.heartbeat();
        return controls.signal.aborted ? 'unsettled' : 'settled';
      },
      options({ messageConcurrency: 1 }),
    ).run();
    await expect(run).rejects.toThrow('REBALANCE_IN_PROGRESS');
    expect(started.map((m) => m.offset)).toEqual(['10', '11']);
    expect(recorded.commits).toEqual(['11']);
  });

  it('keeps heartbeating from a timer while a message waits', async () => {
    const { payload, recorded } = fakePayload(['10']);
    await new PartitionBatch(
      payload,
      async () => {
        await tick(600);
        return 'settled';
      },
      options({ heartbeatIntervalMs: 500 }),
    ).run();
    expect(recorded.heartbeats).toBeGreaterThanOrEqual(1);
  });

  it('starts nothing when the process is already stopping, and aborts running messages when it stops', async () => {
    const stopped = new AbortController();
    stopped.abort();
    const idle = fakePayload(['10']);
    let calls = 0;
    await new PartitionBatch(idle.payload, async () => (calls++, 'settled'), options({ stopping: stopped.signal })).run();
    expect(calls).toBe(0);
    expect(idle.recorded.commits).toEqual([]);

    const stopping = new AbortController();
    const busy = fakePayload(['10', '11']);
    const run = new PartitionBatch(
      busy.payload,
      (_message, controls) => new Promise<'unsettled'>((resolve) => controls.signal.addEventListener('abort', () => resolve('unsettled'))),
      options({ stopping: stopping.signal }),
    ).run();
    stopping.abort();
    await run;
    expect(busy.recorded.commits).toEqual([]);
  });
});
