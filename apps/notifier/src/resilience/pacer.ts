import { AbandonedError } from './abortable.js';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Tokens the bucket may hold: enough to absorb ordinary timer lateness, too few for a burst. */
const CAPACITY = 2;

/**
 * Caps the rate of calls of one process (all partitions together) at `perSecond`: a token bucket
 * refilled with elapsed time and served in call order by a single timer. Fractional tokens carry
 * over, so timer lateness does not lower the long-run rate; the bucket holds at most 2 tokens,
 * so after the process stalls it catches up by one call at most (the rate errs low, not high).
 */
export class Pacer {
  private readonly intervalMs: number;
  private tokens = 1;
  private refilledAt: number;
  private readonly queue: Waiter[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0)) throw new RangeError('perSecond must be greater than 0');
    this.intervalMs = 1000 / perSecond;
    this.refilledAt = now();
  }

  /** Resolves when this caller may go; rejects with AbandonedError if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbandonedError());
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(new AbandonedError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(CAPACITY, this.tokens + (now - this.refilledAt) / this.intervalMs);
    this.refilledAt = now;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, (1 - this.tokens) * this.intervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, wait);
  }

  private release(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      const waiter = this.queue.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.tokens -= 1;
      waiter.resolve();
    }
    this.schedule();
  }
}

/** A pacer that never waits (TWILIO_MAX_MPS unset). */
export const unlimited = { acquire: async (_signal?: AbortSignal): Promise<void> => undefined };

export type RateLimiter = Pick<Pacer, 'acquire'>;
