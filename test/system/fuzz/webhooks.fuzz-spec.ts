// Issue 6: hostile input against the webhook endpoints (Stripe, inbound SMS, and since issue 15
// Twilio's status callbacks), with a valid API key and without. The
// BUILT webhooks app runs as a child process against the shared stack (Kafka, Redis, stripe-mock)
// and in-process OIDC + GraphQL gateway peers; 10,000 generated requests go to it over raw
// sockets. Targets: no 5xx, no crash, no unhandled rejection, every answer in {200 TwiML/ack,
// 204 (a status callback, no body), 400, 401, 403, 404, 405 (with Allow: POST), 408, 413, 415, 417,
// 431}, pipelined pairs both answered, slow clients cut off within twice the app's request deadline,
// memory back near its warm baseline (post-GC heap, tightly; RSS, loosely). The seed is random and printed;
// `FUZZ_SEED` replays a run, `FUZZ_REQUESTS` sets its length.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { reportFigures } from '../../support/figures.js';
import { answerProblems } from '../../support/fuzz/answer-checks.js';
import { fuzzCase, warmUpCase, type FuzzCase } from '../../support/fuzz/fuzz-cases.js';
import { startFuzzTarget, type FuzzTarget } from '../../support/fuzz/fuzz-target.js';
import { sendRaw } from '../../support/fuzz/raw-http.js';

/** A new seed each run (printed, and in the figures); FUZZ_SEED replays one. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const WARM_UP_REQUESTS = 300;
/** Hostile requests (another seed, not counted) that bring the heap to its working size before the baseline. */
const WARM_UP_FUZZ_REQUESTS = 2_000;
const CONCURRENCY = 16;
/**
 * RSS after the run may exceed the warm baseline (taken after 2,300 requests) by this much. RSS is
 * a high-water mark: V8 keeps the old space it grew under 16 concurrent requests and glibc keeps
 * freed arenas (huge bodies are 1-2 MB buffers), so a healthy process settles above its baseline
 * (measured: +64 MB after 10,000, +91 MB after 30,000). Keeping what the run handled would be far
 * more: ~100 huge bodies alone are ~150 MB, every request's body and answer several hundred MB.
 */
const RSS_TOLERANCE_MB = 96;
/**
 * The live heap after a forced full GC (over the inspector), less compiled code, may exceed the
 * warm baseline by this much (~50 bytes a request). Measured: -0.1 to -0.3 MB when healthy; +0.8 MB
 * with the render cache bounded by count only (the growth this found: ~450 bytes a draft reply,
 * ~100 a request; +2 MB after 30,000). Every input-driven cache is full at the baseline: the render
 * cache is capped at 64 KiB for this run (every draft reply adds to it), the locale memo at 1,000
 * entries; the replay store lives in Redis. V8's code (machine code and bytecode) legitimately grows
 * as more paths run (bounded by the app's code), so it gets its own allowance. The app runs without
 * the optimizing compiler (fuzz-target.ts): TurboFan's deoptimization data and relocation info live
 * outside the code figures and grew by up to 0.7 MB as more functions got hot, which tripped this
 * allowance on a loaded machine; without it: +0.2 MB.
 */
const HEAP_TOLERANCE_MB = 0.5;
const CODE_TOLERANCE_MB = 1.5;
const CRASH_MARKERS = /unhandledRejection|uncaughtException|UnhandledPromiseRejection|FATAL ERROR|Segmentation fault/g;

interface Failure {
  category: string;
  target: string;
  problems: string[];
}

describe('webhooks under hostile input (issue 6)', () => {
  let target: FuzzTarget;
  let crashes = 0;
  let stopping = false;

  beforeAll(async () => {
    target = await startFuzzTarget();
    void target.app.exited.then(() => {
      if (!stopping) crashes += 1;
    });
  }, 120_000);

  afterAll(async () => {
    stopping = true;
    await target?.stop();
  });

  it('answers 10,000 hostile requests within the allowed statuses, without crashing or leaking memory', async () => {
    process.stdout.write(`fuzz seed ${SEED} (set FUZZ_SEED to replay), ${REQUESTS} requests\n`);
    const warmUp = Array.from({ length: WARM_UP_REQUESTS }, (_, i) => warmUpCase(target.port, i));
    const warm = await runAll(target.port, warmUp);
    expect(warm.failures).toEqual([]);
    await runAll(target.port, fc.sample(fuzzCase(target.port), { seed: SEED + 1, numRuns: WARM_UP_FUZZ_REQUESTS }));
    const rssBaselineMb = await settledRss(target, () => false);
    const heapBaseline = await target.heapAfterGc();
    await snapshotIfAsked(target, 'baseline');

    const cases = fc.sample(fuzzCase(target.port), { seed: SEED, numRuns: REQUESTS });
    const started = Date.now();
    const run = await runAll(target.port, cases);
    const durationMs = Date.now() - started;
    const rssAfterMb = await settledRss(target, (mb) => mb <= rssBaselineMb + RSS_TOLERANCE_MB);
    const heapAfter = await target.heapAfterGc();
    await snapshotIfAsked(target, 'after');

    const unhandledRejections = target.app.output().match(CRASH_MARKERS)?.length ?? 0;
    const status5xx = Object.entries(run.statusCounts).reduce((n, [s, count]) => (Number(s) >= 500 ? n + count : n), 0);
    process.stdout.write(`fuzz by category ${JSON.stringify(run.byCategory)}\n`);
    for (const f of run.failures.slice(0, 15)) process.stdout.write(`fuzz failure ${JSON.stringify(f)}\n`);
    reportFigures('fuzz', {
      fuzz: 'webhooks',
      requests: cases.length,
      status5xx,
      crashes,
      unhandledRejections,
      unexpectedAnswers: run.failures.length,
      statusCounts: run.statusCounts,
      rssBaselineMb: round(rssBaselineMb),
      rssAfterMb: round(rssAfterMb),
      rssToleranceMb: RSS_TOLERANCE_MB,
      heapBaselineMb: round(heapBaseline.heapUsedMb),
      heapAfterMb: round(heapAfter.heapUsedMb),
      heapToleranceMb: HEAP_TOLERANCE_MB,
      codeToleranceMb: CODE_TOLERANCE_MB,
      codeBaselineMb: round(heapBaseline.codeMb),
      codeAfterMb: round(heapAfter.codeMb),
      externalBaselineMb: round(heapBaseline.externalMb),
      externalAfterMb: round(heapAfter.externalMb),
      seed: SEED,
      durationMs,
    });

    expect(cases.length).toBe(REQUESTS);
    expect(status5xx).toBe(0);
    expect(crashes).toBe(0);
    expect(unhandledRejections).toBe(0);
    expect(run.failures.slice(0, 5)).toEqual([]);
    expect(rssAfterMb).toBeLessThanOrEqual(rssBaselineMb + RSS_TOLERANCE_MB);
    expect(heapAfter.heapUsedMb - heapAfter.codeMb).toBeLessThanOrEqual(heapBaseline.heapUsedMb - heapBaseline.codeMb + HEAP_TOLERANCE_MB);
    expect(heapAfter.codeMb).toBeLessThanOrEqual(heapBaseline.codeMb + CODE_TOLERANCE_MB);
    expect(heapAfter.externalMb).toBeLessThanOrEqual(heapBaseline.externalMb + HEAP_TOLERANCE_MB);
  }, 600_000);
});

interface RunResult {
  statusCounts: Record<string, number>;
  byCategory: Record<string, Record<string, number>>;
  failures: Failure[];
}

/** Sends every case, CONCURRENCY at a time, and checks each answer. */
async function runAll(port: number, cases: readonly FuzzCase[]): Promise<RunResult> {
  const result: RunResult = { statusCounts: {}, byCategory: {}, failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      let problems: string[];
      let status: number;
      try {
        const res = await sendRaw(port, c.request);
        status = res.status;
        problems = answerProblems(c, res);
      } catch (err) {
        status = -1;
        problems = [String(err)];
      }
      result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
      const byStatus = (result.byCategory[c.category] ??= {});
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (problems.length > 0) result.failures.push({ category: c.category, target: c.request.target.slice(0, 100), problems });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return result;
}

/**
 * The child's RSS once it has settled: sampled every 250 ms until `goodEnough` holds or the last
 * eight samples (2 s) lie within 2 MB of each other; at most 30 s.
 */
async function settledRss(target: FuzzTarget, goodEnough: (mb: number) => boolean): Promise<number> {
  const samples: number[] = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mb = target.rssMb();
    samples.push(mb);
    const recent = samples.slice(-8);
    const steady = recent.length === 8 && Math.max(...recent) - Math.min(...recent) < 2;
    if (goodEnough(mb) || steady || Date.now() > deadline) return mb;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * With FUZZ_HEAP_SNAPSHOTS=<dir>, heap snapshots of the child at the baseline and after the run
 * (compare them in Chrome DevTools → Memory). Writing one raises RSS by ~250 MB for good, so the RSS
 * check fails on such a run; the heap figures stay valid.
 */
async function snapshotIfAsked(target: FuzzTarget, label: string): Promise<void> {
  const dir = process.env.FUZZ_HEAP_SNAPSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await target.writeHeapSnapshot(join(dir, `webhooks-${label}.heapsnapshot`));
}

const round = (mb: number) => Math.round(mb * 10) / 10;
