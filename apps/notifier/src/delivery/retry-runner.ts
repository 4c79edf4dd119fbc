import { isAbandoned, sleep } from '../resilience/abortable.js';
import { backoffDelay } from '../resilience/backoff.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';

/** How a step's failure is treated. */
export interface Failure {
  kind: 'transient' | 'permanent';
  message: string;
  /** The dependency told us when to come back (429 Retry-After). */
  retryAfterMs?: number;
  /** This step must not run again sooner (unlike `retryAfterMs`, other callers are not held). */
  minDelayMs?: number;
  /** The failure says the dependency is unwell (feeds its circuit breaker). */
  countsAsOutage: boolean;
  /** Why, from a fixed set: the `reason` label of `nudges_notifier_retries_total`. */
  reason?: string;
}

/** A step failed for good: the message goes to the dead-letter topic. */
export class PermanentFailure extends Error {
  constructor(
    readonly failure: Failure,
    readonly error: unknown,
  ) {
    super(failure.message);
    this.name = 'PermanentFailure';
  }
}

/** Every attempt of a message's budget failed transiently. */
export class RetriesExhausted extends Error {
  constructor(
    readonly last: Failure,
    readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempts: ${last.message}`);
    this.name = 'RetriesExhausted';
  }
}

/** The attempts a message may still spend on transient failures (shared by all its steps). */
export class AttemptBudget {
  used = 0;
  constructor(readonly max: number) {}
}

export interface RetryOptions {
  breaker: CircuitBreaker;
  budget: AttemptBudget;
  signal: AbortSignal;
  baseMs: number;
  maxMs: number;
  classify(err: unknown): Failure;
  onRetry?(failure: Failure, attempt: number, delayMs: number): void;
}

/**
 * Runs `step` until it succeeds. Transient failures are retried with exponential backoff and full
 * jitter (or after Retry-After, and then every caller of the dependency waits) until the budget is
 * spent; while the dependency's breaker is open, the step waits without spending attempts.
 * Throws PermanentFailure, RetriesExhausted or AbandonedError (signal aborted).
 */
export async function runWithRetries<T>(step: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { breaker, budget, signal } = options;
  for (;;) {
    const closed = breaker.ready(signal);
    if (closed) await closed;
    let failure: Failure;
    try {
      const result = await step();
      breaker.success();
      return result;
    } catch (err) {
      if (isAbandoned(err)) {
        breaker.release();
        throw err;
      }
      failure = options.classify(err);
      if (failure.kind === 'permanent') {
        // The dependency answered (it refused this message): that is a sign of health.
        breaker.success();
        throw new PermanentFailure(failure, err);
      }
      if (failure.countsAsOutage) breaker.failure();
      else breaker.release();
    }
    budget.used += 1;
    if (budget.used >= budget.max) throw new RetriesExhausted(failure, budget.used);
    const backoff = backoffDelay(budget.used, { baseMs: options.baseMs, maxMs: options.maxMs });
    if (failure.retryAfterMs !== undefined) breaker.holdUntil(Date.now() + failure.retryAfterMs);
    const delayMs = Math.max(backoff, failure.retryAfterMs ?? 0, failure.minDelayMs ?? 0);
    options.onRetry?.(failure, budget.used, delayMs);
    await sleep(delayMs, signal);
  }
}
