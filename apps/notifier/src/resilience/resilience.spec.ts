import { AbandonedError, sleep } from './abortable.js';
import { backoffDelay } from './retry-policy.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { Pacer } from './pacer.js';

describe('backoffDelay', () => {
  it('doubles from the base, stays within [cap/2, cap] and never exceeds the maximum', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, { ...options, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, { ...options, random: () => 0.999999 })).toBe(100);
    expect(backoffDelay(3, { ...options, random: () => 0.999999 })).toBe(400);
    expect(backoffDelay(10, { ...options, random: () => 0.999999 })).toBe(1000);
    for (let attempt = 1; attempt < 20; attempt++) {
      const d = backoffDelay(attempt, options);
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });
});

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker('twilio', { threshold: 3, cooldownMs: 1000, now: () => now });

  beforeEach(() => (now = 0));

  it('opens after `threshold` consecutive failures and lets one probe through after the cooldown', () => {
    const b = breaker();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.success(); // resets the count
    b.failure();
    b.failure();
    b.failure();
    expect(b.state).toBe('open');
    expect(b.waitMs()).toBe(1000);
    now = 1000;
    expect(b.waitMs()).toBe(0); // this caller is the probe
    expect(b.state).toBe('half-open');
    expect(b.waitMs()).toBeGreaterThan(0); // everyone else waits for the probe
    b.failure();
    expect(b.state).toBe('open');
    now = 2000;
    expect(b.waitMs()).toBe(0);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.waitMs()).toBe(0);
  });

  it('holds every caller until a Retry-After without counting a failure', () => {
    const b = breaker();
    b.holdUntil(500);
    expect(b.waitMs()).toBe(500);
    expect(b.state).toBe('closed');
    now = 500;
    expect(b.waitMs()).toBe(0);
  });

  it('ready() rejects with AbandonedError when the signal aborts', async () => {
    const b = breaker();
    b.holdUntil(Number.MAX_SAFE_INTEGER);
    const controller = new AbortController();
    const waiting = b.ready(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbandonedError);
  });
});

describe('Pacer', () => {
  it('spaces calls 1/perSecond apart across concurrent callers', async () => {
    const pacer = new Pacer(50);
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 11 }, () => pacer.acquire().then(() => times.push(performance.now() - started))));
    const elapsed = Math.max(...times);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(320);
  });

  it('gives an abandoned last slot back', async () => {
    const pacer = new Pacer(10);
    await pacer.acquire();
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbandonedError);
    const started = performance.now();
    await pacer.acquire();
    expect(performance.now() - started).toBeLessThan(150);
  });

  it('does not catch up with a burst after the process stalled', async () => {
    const pacer = new Pacer(20);
    await pacer.acquire();
    const blockedUntil = performance.now() + 400;
    while (performance.now() < blockedUntil) {
      // the event loop is stuck, as under GC or CPU starvation
    }
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => pacer.acquire().then(() => times.push(performance.now() - started))));
    expect(times.filter((t) => t < 25)).toHaveLength(2); // the bucket holds at most two tokens
    expect(Math.max(...times)).toBeGreaterThanOrEqual(140); // the other three, 50 ms apart
  });

  it('rejects a non-positive rate', () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
  });
});

describe('sleep', () => {
  it('rejects at once when already aborted', async () => {
    await expect(sleep(10_000, AbortSignal.abort())).rejects.toBeInstanceOf(AbandonedError);
  });
});
