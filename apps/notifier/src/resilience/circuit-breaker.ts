import { sleep } from './abortable.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long the breaker stays open before one probe call may go through. */
  cooldownMs: number;
  now?: () => number;
  onStateChange?: (name: string, state: BreakerState) => void;
}

/**
 * One breaker per dependency (Twilio, LocalizationApi, Redis). While it is open, callers wait in
 * `ready()` instead of calling, so an outage does not burn every message's retry budget and the
 * dependency is not hammered. Half-open lets a single probe through; its result closes or re-opens.
 * `holdUntil` pauses every caller without counting a failure (Twilio's 429 + Retry-After).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private heldUntil = 0;
  private current: BreakerState = 'closed';
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  /**
   * Resolves when a call may be made; rejects with AbandonedError when `signal` aborts. A caller
   * that gets through while half-open is the probe and must report success or failure.
   */
  ready(signal?: AbortSignal): Promise<void> | undefined {
    // The common case (closed, no hold) costs no promise.
    return this.waitMs() <= 0 ? undefined : this.waitUntilReady(signal);
  }

  private async waitUntilReady(signal?: AbortSignal): Promise<void> {
    for (;;) {
      await sleep(Math.min(this.nextWaitMs, 1000), signal);
      if (this.waitMs() <= 0) return;
    }
  }

  private get nextWaitMs(): number {
    const now = this.now();
    if (now < this.heldUntil) return this.heldUntil - now;
    if (this.current === 'open') return Math.max(1, this.openedAt + this.options.cooldownMs - now);
    return Math.min(250, this.options.cooldownMs);
  }

  /** Milliseconds until a call may be made (0 = now); claims the probe slot when half-open. */
  waitMs(): number {
    const now = this.now();
    if (now < this.heldUntil) return this.heldUntil - now;
    if (this.current === 'closed') return 0;
    if (this.current === 'open') {
      const reopen = this.openedAt + this.options.cooldownMs;
      if (now < reopen) return reopen - now;
      this.setState('half-open');
    }
    if (this.probing) return Math.min(250, this.options.cooldownMs);
    this.probing = true;
    return 0;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.setState('closed');
  }

  failure(): void {
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.options.threshold) {
      this.probing = false;
      this.openedAt = this.now();
      if (this.current !== 'open') this.setState('open');
    }
  }

  /** Pause every caller until `untilMs` (epoch ms), e.g. for a Retry-After. */
  holdUntil(untilMs: number): void {
    this.heldUntil = Math.max(this.heldUntil, untilMs);
  }

  /** A call that was allowed through ended without telling anything about the dependency. */
  release(): void {
    this.probing = false;
  }

  private setState(state: BreakerState): void {
    this.current = state;
    this.options.onStateChange?.(this.name, state);
  }
}
