import { AbandonedError } from './abortable.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { AttemptBudget, PermanentFailure, RetriesExhausted, runWithRetries, type Failure } from './retry-policy.js';

const transient = (message = 'down', extra: Partial<Failure> = {}): Failure => ({
  kind: 'transient',
  message,
  countsAsOutage: true,
  ...extra,
});

function options(max: number, classify: (err: unknown) => Failure, signal = new AbortController().signal) {
  return {
    breaker: new CircuitBreaker('dep', { threshold: 100, cooldownMs: 50 }),
    budget: new AttemptBudget(max),
    signal,
    baseMs: 5,
    maxMs: 20,
    classify,
  };
}

describe('runWithRetries', () => {
  it('retries transient failures until the step succeeds', async () => {
    let calls = 0;
    const result = await runWithRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      options(5, () => transient()),
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    const run = runWithRetries(
      async () => {
        calls += 1;
        throw new Error('21211');
      },
      options(5, () => ({ kind: 'permanent', message: 'invalid To', countsAsOutage: false })),
    );
    await expect(run).rejects.toBeInstanceOf(PermanentFailure);
    expect(calls).toBe(1);
  });

  it('gives up after the budget with RetriesExhausted', async () => {
    let calls = 0;
    const run = runWithRetries(
      async () => {
        calls += 1;
        throw new Error('503');
      },
      options(4, () => transient('Twilio 503')),
    );
    await expect(run).rejects.toMatchObject({ attempts: 4, last: { message: 'Twilio 503' } });
    await expect(run).rejects.toBeInstanceOf(RetriesExhausted);
    expect(calls).toBe(4);
  });

  it('waits at least Retry-After before the next attempt', async () => {
    const times: number[] = [];
    await runWithRetries(
      async () => {
        times.push(performance.now());
        if (times.length === 1) throw new Error('429');
      },
      options(3, () => transient('429', { retryAfterMs: 150, countsAsOutage: false })),
    );
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(145);
  });

  it('waits at least minDelayMs before the next attempt, without holding other callers of the dependency', async () => {
    const opts = options(3, () => transient('no answer', { minDelayMs: 150 }));
    const times: number[] = [];
    let othersMayCall: boolean | undefined;
    await runWithRetries(
      async () => {
        times.push(performance.now());
        if (times.length === 1) throw new Error('timeout');
      },
      { ...opts, onRetry: () => (othersMayCall = opts.breaker.ready() === undefined) },
    );
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(145);
    expect(othersMayCall).toBe(true);
  });

  it('waits while the breaker is open without spending attempts', async () => {
    const opts = options(2, () => transient());
    opts.breaker = new CircuitBreaker('dep', { threshold: 1, cooldownMs: 100 });
    opts.breaker.failure(); // open for 100 ms
    let calls = 0;
    const started = performance.now();
    await runWithRetries(async () => void (calls += 1), opts);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(calls).toBe(1);
    expect(opts.budget.used).toBe(0);
  });

  it('stops with AbandonedError when the signal aborts during a backoff', async () => {
    const controller = new AbortController();
    const run = runWithRetries(
      async () => {
        setTimeout(() => controller.abort(), 5);
        throw new Error('down');
      },
      { ...options(10, () => transient()), baseMs: 10_000, maxMs: 10_000, signal: controller.signal },
    );
    await expect(run).rejects.toBeInstanceOf(AbandonedError);
  });
});
