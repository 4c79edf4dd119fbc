#!/usr/bin/env node
// npm run bench:webhooks — throughput and latency of the Stripe webhook endpoint against the real
// stack, and of a bare NestJS route with the same app settings as the baseline.
//
// The webhooks app runs in its own process against Kafka, Redis and stripe-mock from the local
// stack (scripts/stack.mjs) and the OIDC + GraphQL gateway stand-ins (another process). autocannon
// (this process) posts signed `price.updated` events, each with a unique event id, spread over
// BENCH_PRICES price tiers with increasing `created`, so each one is verified, claimed in Redis,
// order-checked and applied through the gateway (priceTierByForeignId + patchPriceTier).
//
// Besides latency and throughput it reports where the CPU went during each measured phase, per
// process (process.cpuUsage over IPC; Redis from INFO cpu, which also counts anyone else using that
// Redis), in total, as a share of the machine, and per answered request.
//
// The webhooks app is warmed up for BENCH_WARMUP seconds first: at a few hundred events per second
// V8 keeps optimizing the hot paths for several seconds, and a short warm-up measures the JIT.
//
//   BENCH_DURATION (s, default 10)   BENCH_CONNECTIONS (default 16)   BENCH_WARMUP (s, default 10)
//   BENCH_PRICES (default 1000)      BENCH_CPU_PROF=<dir>: V8 CPU profiles of the webhooks app and
//                                    of the peers process, taken during the measured webhooks phase
// The last line of output is one JSON object with the figures.
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import Stripe from 'stripe';
import { stackEnv, up } from '../scripts/stack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const DURATION = Number(env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
const WARMUP = Number(env.BENCH_WARMUP ?? 10);
// The bare route answers ~20× more requests per second, so its JIT settles far sooner.
const BASELINE_WARMUP = Math.min(WARMUP, 3);
const PRICES = Number(env.BENCH_PRICES ?? 1000);
const API_KEY = 'bench-api-key-for-both-webhook-endpoints';
const SECRET = 'whsec_bench_secret';
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const log = (line) => process.stderr.write(`${line}\n`);

/** Forks `script` with the TypeScript loader and waits for its `ready` message. */
function child(script, args, childEnv) {
  const proc = fork(join(here, 'support', script), args, {
    execArgv: ['--import', join(here, '..', 'scripts', 'lib', 'register-ts.mjs')],
    env: childEnv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)));
    proc.on('message', (m) => m?.ready && resolve(m));
  });
  return { proc, ready };
}

/** Sends `message` and resolves with the first answer that has `key`. */
function ask(proc, message, key) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m?.[key] !== undefined) {
        proc.off('message', onMessage);
        resolve(m);
      }
    };
    proc.on('message', onMessage);
    proc.send(message);
  });
}

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.send({ cmd: 'stop' });
  });
}

// ---------------------------------------------------------------- signed events

const stripe = new Stripe('sk_test_bench');
const baseCreated = Math.floor(Date.now() / 1000) - 3600;
let sequence = 0;

function priceUpdatedEvent() {
  const n = sequence++;
  const priceId = `price_bench_${n % PRICES}`;
  const event = {
    id: `evt_bench${runId}${n}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: baseCreated + Math.floor(n / PRICES),
    data: {
      object: {
        id: priceId,
        object: 'price',
        active: true,
        billing_scheme: 'per_unit',
        created: baseCreated - 86_400,
        currency: 'usd',
        custom_unit_amount: null,
        livemode: false,
        lookup_key: null,
        metadata: {},
        nickname: `Tier ${n % PRICES}`,
        product: `prod_bench_${Math.floor((n % PRICES) / 3)}`,
        recurring: { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
        tax_behavior: 'unspecified',
        tiers_mode: null,
        transform_quantity: null,
        type: 'recurring',
        unit_amount: 1000 + (n % 900),
        unit_amount_decimal: String(1000 + (n % 900)),
      },
      previous_attributes: { unit_amount: 999 },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_bench${n}`, idempotency_key: null },
    type: 'price.updated',
  };
  const body = JSON.stringify(event);
  return { body, signature: stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) };
}

// ---------------------------------------------------------------- load

function run(url, seconds, signed) {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    requests: [
      {
        setupRequest: (req) => {
          if (!signed) return { ...req, body: '{}' };
          const { body, signature } = priceUpdatedEvent();
          return { ...req, body, headers: { ...req.headers, 'stripe-signature': signature } };
        },
      },
    ],
  });
}

function summary(result) {
  const ok = result['2xx'];
  return {
    reqPerSec: Math.round(ok / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

// ---------------------------------------------------------------- CPU accounting

async function redisCpu(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Math.round(Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0) * 1e6);
  return { user: field('used_cpu_user'), system: field('used_cpu_sys') };
}

/** CPU microseconds used so far by each process involved. */
async function cpuSnapshot(procs, redis) {
  const snapshot = {};
  for (const [name, proc] of Object.entries(procs)) {
    const { cpu } = await ask(proc, { cmd: 'cpu' }, 'cpu');
    snapshot[name] = { user: cpu.userUs, system: cpu.systemUs };
  }
  snapshot['autocannon (bench)'] = process.cpuUsage();
  snapshot['redis-server'] = await redisCpu(redis);
  return snapshot;
}

/** Runs `phase` and reports the CPU each process spent meanwhile. */
async function measured(procs, redis, phase) {
  const before = await cpuSnapshot(procs, redis);
  const started = process.hrtime.bigint();
  const result = await phase();
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const after = await cpuSnapshot(procs, redis);
  const usage = Object.fromEntries(
    Object.keys(after).map((k) => [k, { user: after[k].user - before[k].user, system: after[k].system - before[k].system }]),
  );
  return { result, usage, wallUs };
}

function cpuTable(title, { usage, wallUs }, answered) {
  const capacity = wallUs * cpus().length;
  const total = { user: 0, system: 0 };
  const line = (name, { user, system }) => {
    const us = user + system;
    return `  ${name.padEnd(20)} ${(us / 1e6).toFixed(2).padStart(6)} s CPU (${Math.round((100 * system) / Math.max(us, 1))
      .toString()
      .padStart(
        3,
      )} % kernel)  ${((100 * us) / capacity).toFixed(1).padStart(5)} % of machine  ${(us / 1000 / answered).toFixed(3).padStart(7)} ms/request`;
  };
  console.log(`CPU during ${title} (${(wallUs / 1e6).toFixed(1)} s wall, ${cpus().length} cores, ${answered} answered 2xx):`);
  for (const [name, u] of Object.entries(usage)) {
    console.log(line(name, u));
    total.user += u.user;
    total.system += u.system;
  }
  console.log(line('total (listed)', total));
}

// ---------------------------------------------------------------- main

log('▶ local stack (Kafka, Redis, stripe-mock)');
await up(['kafka', 'redis', 'stripe-mock']);

const peers = child('peers-process.mjs', [], { ...env, BENCH_PRICES: String(PRICES) });
const { env: peerEnv } = await peers.ready;
const redisPrefix = `bench-${runId}:`;
const appEnv = {
  ...env,
  ...stackEnv(),
  ...peerEnv,
  NODE_ENV: 'production',
  LOG_LEVEL: env.LOG_LEVEL ?? 'info',
  PORT: '0',
  WEBHOOKS_API_KEY: API_KEY,
  STRIPE_API_KEY: 'sk_test_bench',
  STRIPE_WEBHOOKS_SECRET: SECRET,
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'bench-twilio-token',
  AccountUrl: 'https://app.example.com/account',
  StripePortalUrl: 'https://billing.stripe.com/p/login/bench',
  ClientLinkBaseUri: 'https://app.example.com',
  KAFKA_TOPIC_NOTIFICATIONS: `bench-${runId}-notifications`,
  KAFKA_TOPIC_PAYMENTS: `bench-${runId}-payments`,
  KAFKA_TOPIC_FOREIGN_PRODUCTS: `bench-${runId}-foreign-products`,
  KAFKA_TOPIC_DEADLETTER: `bench-${runId}-deadletter`,
  KAFKA_TOPIC_PARTITIONS: '1',
  REDIS_KEY_PREFIX: redisPrefix,
};
const webhooks = child('webhooks-child.mjs', ['webhooks'], appEnv);
const baseline = child('webhooks-child.mjs', ['baseline'], { ...env, LOG_LEVEL: appEnv.LOG_LEVEL });
const redis = new Redis(stackEnv().REDIS_URL, { maxRetriesPerRequest: 1 });
const loadBefore = loadavg();
let exitCode = 0;
try {
  const [{ port: webhooksPort }, { port: baselinePort }] = await Promise.all([webhooks.ready, baseline.ready]);
  const webhooksUrl = `http://127.0.0.1:${webhooksPort}/api/StripeWebhookHandler?code=${API_KEY}`;
  const baselineUrl = `http://127.0.0.1:${baselinePort}/api/StripeWebhookHandler`;
  const procs = { 'webhooks app': webhooks.proc, 'baseline app': baseline.proc, 'gateway + OIDC': peers.proc };

  log(`▶ warm-up (baseline ${BASELINE_WARMUP} s, webhooks ${WARMUP} s)`);
  await run(baselineUrl, BASELINE_WARMUP, false);
  const warm = summary(await run(webhooksUrl, WARMUP, true));

  log(`▶ baseline: bare NestJS route, ${CONNECTIONS} connections, ${DURATION} s`);
  const baseRun = await measured(procs, redis, () => run(baselineUrl, DURATION, false));
  const base = summary(baseRun.result);

  log(`▶ webhooks: signed price.updated events, ${CONNECTIONS} connections, ${DURATION} s`);
  const profiling = env.BENCH_CPU_PROF ? [webhooks.proc, peers.proc] : [];
  await Promise.all(profiling.map((proc) => ask(proc, { cmd: 'profile-start' }, 'profiling')));
  const hooksRun = await measured(procs, redis, () => run(webhooksUrl, DURATION, true));
  const hooks = summary(hooksRun.result);
  if (env.BENCH_CPU_PROF) {
    mkdirSync(env.BENCH_CPU_PROF, { recursive: true });
    for (const [name, proc] of [
      ['webhooks', webhooks.proc],
      ['gateway', peers.proc],
    ]) {
      const file = join(env.BENCH_CPU_PROF, `${name}-${runId}.cpuprofile`);
      await ask(proc, { cmd: 'profile-stop', file }, 'profiled');
      log(`  CPU profile: ${file}`);
    }
  }

  const { stats } = await ask(peers.proc, { cmd: 'stats' }, 'stats');
  const applied = stats['patchPriceTier:applied'] ?? 0;
  const ratio = Number((hooks.reqPerSec / base.reqPerSec).toFixed(3));
  const loadAfter = loadavg();

  const row = (name, s) =>
    `${name.padEnd(10)} ${String(s.reqPerSec).padStart(7)} req/s   p50 ${String(s.p50Ms).padStart(4)} ms   p99 ${String(s.p99Ms).padStart(4)} ms   2xx ${s.ok}   non-2xx ${s.non2xx}   errors ${s.errors}`;
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `machine: ${cpus().length} cores, Node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s; load average before ${load(loadBefore)}, after ${load(loadAfter)}`,
  );
  console.log(row('baseline', base));
  console.log(row('webhooks', hooks));
  console.log(`ratio (webhooks / baseline): ${ratio}`);
  cpuTable('the baseline phase', baseRun, base.ok);
  cpuTable('the webhooks phase', hooksRun, hooks.ok);
  // Every event answered 200 must have changed its tier (autocannon may cut off a few in flight at the end).
  const answered = warm.ok + hooks.ok;
  console.log(`events answered 200: ${answered} (warm-up ${warm.ok}); gateway patchPriceTier applied: ${applied}`);
  if (hooks.non2xx + warm.non2xx > 0 || applied < answered) {
    log('✗ some events were not applied (see counts above)');
    exitCode = 1;
  }
  console.log(
    JSON.stringify({
      bench: 'webhooks',
      eventsPerSec: hooks.reqPerSec,
      p50Ms: hooks.p50Ms,
      p99Ms: hooks.p99Ms,
      baselineReqPerSec: base.reqPerSec,
      ratio,
    }),
  );
} finally {
  redis.disconnect();
  await Promise.all([stop(webhooks.proc), stop(baseline.proc), stop(peers.proc)]);
  await dropRedisKeys(redisPrefix);
}
process.exit(exitCode);

/** The run's dedupe and order keys would otherwise stay for their 4-day TTL. */
async function dropRedisKeys(prefix) {
  const redis = new Redis(stackEnv().REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}
