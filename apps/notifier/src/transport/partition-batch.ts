import type { EachBatchPayload } from 'kafkajs';
import { setMaxListeners } from 'node:events';
import { noConsumerMetrics, type PartitionMetrics } from './consumer-metrics.js';
import { toInboundMessage, type InboundMessage } from './inbound-message.js';
import { OffsetTracker } from './offset-tracker.js';

/** What a handler gets besides the message: the abort signal of its batch and a heartbeat. */
export interface BatchControls {
  /** Aborts when the process stops or the partition is taken away: stop waiting, give up unsent work. */
  signal: AbortSignal;
  heartbeat(): Promise<void>;
}

/** Processes one message; 'unsettled' leaves its offset uncommitted (read again by the partition's next owner). */
export type ProcessMessage = (message: InboundMessage, controls: BatchControls) => Promise<'settled' | 'unsettled'>;

/** The part of kafkajs' eachBatch payload a batch uses. */
export type BatchPayload = Pick<
  EachBatchPayload,
  'batch' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'isRunning' | 'isStale'
>;

export interface PartitionBatchOptions {
  /** Messages of the batch processed at once. */
  messageConcurrency: number;
  /**
   * Messages with the same key (one recipient) are processed one after the other, in offset
   * order, each after the previous one is settled (retries included); others run alongside.
   * Undefined: no order is kept.
   */
  orderingKey?: (message: InboundMessage) => string | undefined;
  heartbeatIntervalMs: number;
  /** Commit interval while the batch runs; it commits again at its end. */
  commitIntervalMs: number;
  /** Aborts when the process stops. */
  stopping: AbortSignal;
  metrics?: PartitionMetrics;
  logger: { warn(message: unknown): void };
}

const isRebalanceError = (err: unknown): boolean => {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'NOT_COORDINATOR';
};

/**
 * One partition batch of kafkajs `eachBatch`: up to `messageConcurrency` messages at once, started
 * in offset order; heartbeats from a timer while they run (and wait); commits only up to the
 * highest contiguous settled offset. A failed heartbeat, or a commit refused by a rebalance, ends
 * the batch: waiting messages are abandoned and `run()` rethrows it so kafkajs rejoins.
 */
export class PartitionBatch {
  private readonly abort = new AbortController();
  private failure?: unknown;
  private lastCommitAt = Date.now();
  private committedOffset?: string;
  private resolvedOffset?: string;
  private committing?: Promise<void>;
  private readonly tracker: OffsetTracker;
  private readonly controls: BatchControls;
  private readonly metrics: PartitionMetrics;
  private readonly highWatermark: bigint;

  constructor(
    private readonly payload: BatchPayload,
    private readonly process: ProcessMessage,
    private readonly options: PartitionBatchOptions,
  ) {
    const { batch } = payload;
    this.tracker = new OffsetTracker(batch.messages.map((m) => m.offset));
    this.metrics = options.metrics ?? noConsumerMetrics.partition(batch.topic, batch.partition);
    this.highWatermark = BigInt(batch.highWatermark);
    const first = batch.messages[0];
    this.metrics.lag(first ? Number(this.highWatermark - BigInt(first.offset)) : Number(batch.offsetLag()));
    // Every waiting message listens for the abort: up to messageConcurrency listeners, by design.
    setMaxListeners(0, this.abort.signal);
    this.controls = { signal: this.abort.signal, heartbeat: () => this.beat() };
    this.abortWith(options.stopping);
  }

  async run(): Promise<void> {
    const heartbeat = setInterval(() => void this.beat(), Math.max(250, Math.floor(this.options.heartbeatIntervalMs / 2)));
    try {
      await this.processMessages();
    } finally {
      clearInterval(heartbeat);
      this.abort.abort();
    }
    await this.commit();
    // Past trailing control records (transaction markers) too, which no message settles.
    if (this.tracker.allFinished) this.metrics.lag(Number(this.payload.batch.offsetLag()));
    if (this.failure) throw this.failure;
  }

  /**
   * Starts the messages in offset order, each once a slot is free. A message whose key is already
   * in the batch waits, without a slot, behind the last one with that key: it starts once that one
   * is settled, and not at all if that one was not (so a redelivery keeps their order too).
   */
  private async processMessages(): Promise<void> {
    const { batch } = this.payload;
    const slots = new Slots(this.options.messageConcurrency);
    const lastOfKey = new Map<string, Promise<'settled' | 'unsettled'>>();
    const started: Promise<unknown>[] = [];
    for (let index = 0; index < batch.messages.length; index++) {
      await slots.acquire();
      if (this.shouldStop()) {
        slots.release();
        break;
      }
      const message = toInboundMessage(batch.topic, batch.partition, batch.messages[index]!);
      this.metrics.consumed();
      const key = this.options.orderingKey?.(message);
      const previous = key === undefined ? undefined : lastOfKey.get(key);
      const task = previous ? this.after(previous, message, slots) : this.processInSlot(message, slots);
      if (key !== undefined) {
        lastOfKey.set(key, task);
        // An unsettled one stays: the key's later messages of this batch must not overtake it.
        void task.then((result) => result === 'settled' && lastOfKey.get(key) === task && lastOfKey.delete(key));
      }
      started.push(task.then((result) => result === 'settled' && this.settled(index)));
    }
    await Promise.all(started);
  }

  /** Processes `message` in the slot it holds. */
  private async processInSlot(message: InboundMessage, slots: Slots): Promise<'settled' | 'unsettled'> {
    try {
      return await this.process(message, this.controls);
    } finally {
      slots.release();
    }
  }

  /** Processes `message` once `previous` (same key) is settled; gives its slot back while it waits. */
  private async after(previous: Promise<'settled' | 'unsettled'>, message: InboundMessage, slots: Slots): Promise<'settled' | 'unsettled'> {
    slots.release();
    if ((await previous) !== 'settled') return 'unsettled';
    await slots.acquire();
    if (this.abort.signal.aborted) {
      slots.release();
      return 'unsettled';
    }
    return this.processInSlot(message, slots);
  }

  private abortWith(stopping: AbortSignal): void {
    if (stopping.aborted) this.abort.abort();
    else stopping.addEventListener('abort', () => this.abort.abort(), { once: true, signal: this.abort.signal });
  }

  private shouldStop(): boolean {
    if (!this.abort.signal.aborted && (!this.payload.isRunning() || this.payload.isStale())) this.abort.abort();
    return this.abort.signal.aborted;
  }

  private settled(index: number): void {
    this.tracker.finish(index);
    const offset = this.tracker.highestContiguous;
    if (offset === undefined || offset === this.resolvedOffset) return;
    this.resolvedOffset = offset;
    this.payload.resolveOffset(offset);
    this.metrics.lag(Number(this.highWatermark - BigInt(offset) - 1n));
    if (Date.now() - this.lastCommitAt >= this.options.commitIntervalMs && !this.committing) {
      this.committing = this.commit().finally(() => (this.committing = undefined));
    }
  }

  /** Commits the contiguous settled prefix (once the previous commit of this batch is done). */
  private async commit(): Promise<void> {
    await this.committing;
    // A fully settled batch commits past its trailing control records (transaction markers) too.
    const offset = this.tracker.allFinished ? (BigInt(this.payload.batch.lastOffset()) + 1n).toString() : this.tracker.commitOffset;
    if (offset === undefined || offset === this.committedOffset) return;
    const { topic, partition } = this.payload.batch;
    this.lastCommitAt = Date.now();
    try {
      await this.payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
      this.committedOffset = offset;
    } catch (err) {
      // Not fatal for correctness: uncommitted messages are read again and found in the ledger.
      this.options.logger.warn({ msg: 'offset commit failed', topic, partition, offset, err });
      if (isRebalanceError(err)) this.fail(err);
    }
  }

  private async beat(): Promise<void> {
    if (this.shouldStop()) return;
    try {
      await this.payload.heartbeat();
    } catch (err) {
      // Rebalance or lost connection: stop taking messages, let running sends finish, and let
      // kafkajs rejoin. Unsettled messages go to whoever gets the partition.
      this.options.logger.warn({
        msg: 'heartbeat failed; ending the batch',
        topic: this.payload.batch.topic,
        partition: this.payload.batch.partition,
        err,
      });
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.abort.abort();
  }
}

/** A counting semaphore whose waiters are served in the order they asked. */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
