import { Logger } from '@nestjs/common';
import { isLocalizationError } from '@app/shared/localization/errors.js';
import type { DeliveryConfig } from '../config/notifier.config.js';
import { isSmsSendError } from '../notifiers/sms-notifier.js';
import { isAbandoned, sleep } from './abortable.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';

/*
 * What happens when a step of a delivery fails. `reason` is the label of
 * nudges_notifier_retries_total{dependency,reason}; "breaker" says whether the failure counts
 * towards opening the dependency's circuit breaker (an answered refusal counts as health).
 *
 * | failure                                   | what happens                                                   | breaker     | reason            |
 * |-------------------------------------------|----------------------------------------------------------------|-------------|-------------------|
 * | Twilio 429 or 20429                       | retried after Retry-After; every send of the process waits too | not counted | rate_limited      |
 * | Twilio 5xx, 20500, 20503                  | retried after the backoff                                      | counted     | server_error      |
 * | Twilio 401, 20003, 20005 (our account)    | retried after the backoff                                      | counted     | unauthorized (401)|
 * | Twilio timeout, reset mid-request         | retried after the backoff, at least NOTIFIER_AMBIGUOUS_SETTLE_MS; | counted  | no_answer         |
 * |                                           | the retry looks in Twilio's log before sending again           |             |                   |
 * | connection refused, DNS failure           | retried after the backoff                                      | counted     | connection_failed |
 * | Twilio 21610 (the recipient opted out)    | not retried, not dead-lettered: outcome `opted-out`, the number | closes it | —                 |
 * |                                           | recorded in the OptOutRegistry (delivery.service.ts)            |             |                   |
 * | Twilio 21211, 21408, any other 4xx        | not retried: dead letter `twilio.<code>` (`twilio.http-<status>`) | closes it | —                 |
 * | LocalizationApi unavailable or timed out  | retried after the backoff                                      | counted     | unavailable       |
 * | LocalizationApi: unknown resource key     | not retried: dead letter `poison.unknown-resource-key`         | closes it   | —                 |
 * | Redis unreachable                         | retried without limit, backoff capped at 5 s: the partition     | counted     | unavailable       |
 * |                                           | waits; never dead-lettered (no promise holds without the ledger) |           |                   |
 *
 * Backoff: exponential from NOTIFIER_RETRY_BASE_MS, capped at NOTIFIER_RETRY_MAX_MS, full jitter.
 * One message has NOTIFIER_MAX_ATTEMPTS attempts across localization and sending; then it is
 * dead-lettered as `retries-exhausted`. While a breaker is open (NOTIFIER_BREAKER_THRESHOLD
 * consecutive counted failures, for NOTIFIER_BREAKER_COOLDOWN_MS, then one probe), callers wait
 * without spending attempts. A dead-letter publish that fails is retried until the batch ends.
 */

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

/** Twilio error codes that are about Twilio's side or our account, not this message. */
const TWILIO_OUTAGE_CODES = new Set([20003, 20005, 20429, 20500, 20503]);

/** How an HTTP error answer of Twilio is treated (see the table above). */
export function twilioAnswerFailure(
  status: number,
  code: number | undefined,
): { kind: 'transient' | 'permanent'; countsAsOutage?: boolean } {
  if (status === 429 || code === 20429) return { kind: 'transient', countsAsOutage: false };
  if (status >= 500 || status === 401 || (code !== undefined && TWILIO_OUTAGE_CODES.has(code)))
    return { kind: 'transient', countsAsOutage: true };
  return { kind: 'permanent' };
}

/** Why a send is retried, from a fixed set. */
export function sendRetryReason(err: unknown): string {
  if (!isSmsSendError(err)) return 'unexpected';
  const { code, status } = err.details;
  if (status === 429 || code === 20429) return 'rate_limited';
  if (status === 401) return 'unauthorized';
  if (status !== undefined && status >= 500) return 'server_error';
  if (status !== undefined) return 'rejected';
  return err.kind === 'ambiguous' ? 'no_answer' : 'connection_failed';
}

/**
 * How a failed send is retried. After an ambiguous failure (no answer once the request was
 * written) the provider may still create the message, or list it only later: the next attempt
 * waits at least `settleMs`, then looks in the provider's log before sending again.
 */
export function sendFailure(err: unknown, settleMs: number): Failure {
  if (!isSmsSendError(err)) return { kind: 'transient', message: errorText(err), countsAsOutage: true };
  return {
    kind: err.kind === 'permanent' ? 'permanent' : 'transient',
    message: err.message,
    reason: sendRetryReason(err),
    retryAfterMs: err.details.retryAfterMs,
    countsAsOutage: err.details.countsAsOutage ?? true,
    ...(err.kind === 'ambiguous' ? { minDelayMs: settleMs } : {}),
  };
}

/** A non-transient localization error names an unknown resource key: retrying cannot help. */
export function localizationFailure(err: unknown): Failure {
  if (isLocalizationError(err) && !err.transient) return { kind: 'permanent', message: errorText(err), countsAsOutage: false };
  return { kind: 'transient', message: errorText(err), countsAsOutage: true, reason: 'unavailable' };
}

export function redisFailure(err: unknown): Failure {
  return { kind: 'transient', message: errorText(err), countsAsOutage: true, reason: 'unavailable' };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

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

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Random source in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with "full
 * jitter" (uniform in [cap/2, cap]) so processes that failed together do not retry together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

export type OnRetry = (failure: Failure, attempt: number, delayMs: number) => void;

export interface RetryOptions {
  breaker: CircuitBreaker;
  budget: AttemptBudget;
  signal: AbortSignal;
  baseMs: number;
  maxMs: number;
  classify(err: unknown): Failure;
  onRetry?: OnRetry;
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
      failure = reportFailure(breaker, err, options.classify);
    }
    budget.used += 1;
    if (budget.used >= budget.max) throw new RetriesExhausted(failure, budget.used);
    const delayMs = retryDelay(failure, budget.used, options);
    options.onRetry?.(failure, budget.used, delayMs);
    await sleep(delayMs, signal);
  }
}

/** Tells the breaker what the failure says about the dependency; throws unless it is retried. */
function reportFailure(breaker: CircuitBreaker, err: unknown, classify: (err: unknown) => Failure): Failure {
  if (isAbandoned(err)) {
    breaker.release();
    throw err;
  }
  const failure = classify(err);
  if (failure.kind === 'permanent') {
    // The dependency answered (it refused this message): that is a sign of health.
    breaker.success();
    throw new PermanentFailure(failure, err);
  }
  if (failure.countsAsOutage) breaker.failure();
  else breaker.release();
  return failure;
}

function retryDelay(failure: Failure, attempt: number, options: RetryOptions): number {
  const backoff = backoffDelay(attempt, { baseMs: options.baseMs, maxMs: options.maxMs });
  if (failure.retryAfterMs !== undefined) options.breaker.holdUntil(Date.now() + failure.retryAfterMs);
  return Math.max(backoff, failure.retryAfterMs ?? 0, failure.minDelayMs ?? 0);
}

/** Where retries and breaker changes are reported (NotifierMetrics). */
export interface RetryObserver {
  retried(dependency: string, reason: string): void;
  breakerState(breaker: string, state: BreakerState): void;
}

export type RetrySettings = Pick<
  DeliveryConfig,
  'retryBaseMs' | 'retryMaxMs' | 'breakerThreshold' | 'breakerCooldownMs' | 'ambiguousSettleMs'
>;

/** Redis is retried more often than the others: a message cannot move without the ledger. */
const REDIS_MAX_BACKOFF_MS = 5000;

/**
 * The retry policy of each dependency of a delivery (the table above), with one circuit breaker
 * per dependency shared by every message of the process.
 */
export class RetryPolicy {
  private readonly logger = new Logger('Delivery');
  private readonly breakers: { sms: CircuitBreaker; localization: CircuitBreaker; redis: CircuitBreaker };

  /** `smsDependency` names the SMS breaker and retry label: `twilio`, or `sms` for the local notifier. */
  constructor(
    private readonly settings: RetrySettings,
    smsDependency: string,
    private readonly observer: RetryObserver,
  ) {
    this.breakers = { sms: this.breaker(smsDependency), localization: this.breaker('localization'), redis: this.breaker('redis') };
  }

  localize<T>(step: () => Promise<T>, budget: AttemptBudget, signal: AbortSignal, onRetry?: OnRetry): Promise<T> {
    return this.run(step, { budget, signal, onRetry, breaker: this.breakers.localization, classify: localizationFailure });
  }

  send<T>(step: () => Promise<T>, budget: AttemptBudget, signal: AbortSignal, onRetry?: OnRetry): Promise<T> {
    const classify = (err: unknown) => sendFailure(err, this.settings.ambiguousSettleMs);
    return this.run(step, { budget, signal, onRetry, breaker: this.breakers.sms, classify });
  }

  redis<T>(step: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const budget = new AttemptBudget(Number.POSITIVE_INFINITY);
    const maxMs = Math.min(this.settings.retryMaxMs, REDIS_MAX_BACKOFF_MS);
    return this.run(step, { budget, signal, maxMs, breaker: this.breakers.redis, classify: redisFailure });
  }

  private run<T>(step: () => Promise<T>, options: Omit<RetryOptions, 'baseMs' | 'maxMs'> & { maxMs?: number }): Promise<T> {
    const { breaker, onRetry } = options;
    return runWithRetries(step, {
      ...options,
      baseMs: this.settings.retryBaseMs,
      maxMs: options.maxMs ?? this.settings.retryMaxMs,
      onRetry: (failure, attempt, delayMs) => {
        this.observer.retried(breaker.name, failure.reason ?? 'unexpected');
        onRetry?.(failure, attempt, delayMs);
      },
    });
  }

  private breaker(name: string): CircuitBreaker {
    this.observer.breakerState(name, 'closed');
    return new CircuitBreaker(name, {
      threshold: this.settings.breakerThreshold,
      cooldownMs: this.settings.breakerCooldownMs,
      onStateChange: (dependency, state) => {
        this.observer.breakerState(dependency, state);
        this.logger.warn({ msg: `circuit breaker ${state}`, dependency });
      },
    });
  }
}
