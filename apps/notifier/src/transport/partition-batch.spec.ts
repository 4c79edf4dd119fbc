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

  describe('with an ordering key (one recipient)', () => {
    /** Offsets 10.. with their recipients; a message's key is its recipient. */
    const keyed = (recipients: string[]) => {
      const offsets = recipients.map((_, i) => String(10 + i));
      const keyOf = new Map(offsets.map((o, i) => [o, recipients[i]!]));
      return { ...fakePayload(offsets), orderingKey: (m: InboundMessage) => keyOf.get(m.offset) };
    };

    it('processes one recipient’s messages one after the other in offset order, however long each takes, others alongside', async () => {
      const { payload, recorded, orderingKey } = keyed(['A', 'A', 'B', 'A', 'C']);
      const events: string[] = [];
      let running = 0;
      let most = 0;
      await new PartitionBatch(
        payload,
        async (message) => {
          most = Math.max(most, ++running);
          events.push(`start ${message.offset}`);
          // The first A is slow (a retry's backoff): the later A's must still wait for it.
          await tick(message.offset === '10' ? 60 : 5);
          events.push(`end ${message.offset}`);
          running -= 1;
          return 'settled';
        },
        options({ messageConcurrency: 3, orderingKey }),
      ).run();
      const ofA = events.filter((e) => /1[013]$/.test(e));
      expect(ofA).toEqual(['start 10', 'end 10', 'start 11', 'end 11', 'start 13', 'end 13']);
      // B and C did not wait for the slow A.
      expect(events.indexOf('end 12')).toBeLessThan(events.indexOf('end 10'));
      expect(events.indexOf('end 14')).toBeLessThan(events.indexOf('end 10'));
      expect(most).toBeGreaterThan(1);
      expect(recorded.commits).toEqual(['15']);
    });

    it('does not let waiting messages hold the slots: other recipients go on meanwhile', async () => {
      const { payload, orderingKey } = keyed(['A', 'A', 'A', 'A', 'B', 'C']);
      const ended: string[] = [];
      await new PartitionBatch(
        payload,
        async (message) => {
          await tick(message.offset === '10' ? 60 : 2);
          ended.push(message.offset);
          return 'settled';
        },
        options({ messageConcurrency: 2, orderingKey }),
      ).run();
      expect(ended.slice(0, 2)).toEqual(['14', '15']);
      expect(ended.slice(2)).toEqual(['10', '11', '12', '13']);
    });

    it('leaves a recipient’s later messages unprocessed and uncommitted when an earlier one is not settled', async () => {
      const { payload, recorded, orderingKey } = keyed(['A', 'B', 'A', 'B']);
      const processed: string[] = [];
      await new PartitionBatch(
        payload,
        async (message) => {
          processed.push(message.offset);
          return message.offset === '10' ? 'unsettled' : 'settled';
        },
        options({ orderingKey }),
      ).run();
      expect(processed.sort()).toEqual(['10', '11', '13']);
      expect(recorded.commits).toEqual([]);
    });
  });
});
