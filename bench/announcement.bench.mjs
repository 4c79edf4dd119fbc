#!/usr/bin/env node
// npm run bench:announcement — an announcement to BENCH_SUBSCRIBERS (100,000) subscribers through
// the whole design: the webhooks app records the broadcast and answers CONFIRM, the broadcaster
// fans it out page by page (50 per gateway request, the real gateway's limit) in Kafka
// transactions. Both are built apps in their own processes, against Kafka and Redis from the local
// stack and the OIDC + GraphQL gateway stand-ins (another process). Measured:
//   replyMs                CONFIRM sent → TwiML reply received (target < 3 s at any list size)
//   fanoutMs               the broadcast's requestedAt → finishedAt, as the broadcaster recorded them
//   baselinePageThroughMs  a bare loop paging through the same subscribers with the same pager, page
//                          size and connection reuse, producing nothing: the limit of this design,
//                          measured in the same run, just before the fan-out
//   ratio                  baselinePageThroughMs / fanoutMs (target ≥ 0.7)
//   peakRssMb              the larger peak RSS (VmHWM) of the webhooks and broadcaster processes
// then reads the notifications topic back (read_committed) and checks that exactly BENCH_SUBSCRIBERS
// distinct subscribers got one SendSms each, and runs autocannon with signed HELP webhooks.
//
//   BENCH_SUBSCRIBERS (default 100000)   BENCH_KILLS (default 0): SIGKILL the broadcaster this many
//   times at random moments of the fan-out (a new one is started each time)
//   BENCH_DURATION (s, default 10)   BENCH_CONNECTIONS (default 16) of the HELP run (BENCH_DURATION=0 skips it)
//   BENCH_SKIP_BUILD=1 to use the existing dist/ build   BROADCAST_* pass through to the broadcaster
//   BENCH_BROADCASTER_NODE_OPTIONS (default --max-semi-space-size=16 --max-old-space-size=192, as docker-compose.yml runs it)
//   BENCH_BROADCASTER_NODE_ARGS: node flags NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
// The last line of output is one JSON object with the figures.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import twilio from 'twilio';
import { stackEnv, up } from '../scripts/stack.mjs';
import { spawnApp } from '../test/support/app-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const env = process.env;
const SUBSCRIBERS = Number(env.BENCH_SUBSCRIBERS ?? 100_000);
const KILLS = Number(env.BENCH_KILLS ?? 0);
const DURATION = Number(env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
const API_KEY = 'bench-api-key-0123456789abcdef0123456789';
const AUTH_TOKEN = 'bench-twilio-token';
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `bench-${runId}-notifications`;
const prefix = `bench-${runId}:`;

const log = (line) => process.stderr.write(`${line}\n`);

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A TypeScript-importing child of this bench (bench/support/*.mjs), answering once over IPC. */
function child(script, extraEnv) {
  const proc = fork(join(here, 'support', script), [], {
    execArgv: ['--import', join(here, '..', 'scripts', 'lib', 'register-ts.mjs')],
    // Run like a deployed service (graphql-js skips its development-only checks).
    env: { ...env, NODE_ENV: 'production', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const answer = new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    proc.once('message', resolve);
  });
  return { proc, answer };
}

function stopProcess(proc, viaIpc = false) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (viaIpc) proc.send({ cmd: 'stop' });
    else proc.kill('SIGTERM');
  });
}

async function untilReady(url, app) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`${app.app} exited:\n${app.output().slice(-3000)}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready within 60 s`);
}

/** VmHWM (peak) of a process, in MB. */
const peakRssMb = (pid) => {
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round(kb / 1024);
};

// ---------------------------------------------------------------- signed SMS

let sid = 0;
const messageSid = () => `SM${runId.padEnd(16, '0').slice(0, 16)}${(sid++).toString(16).padStart(16, '0')}`;

function signedSms(webhookUrl, from, body) {
  const params = { MessageSid: messageSid(), AccountSid: 'AC00000000000000000000000000000000', From: from, To: '+15550000000', Body: body };
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, webhookUrl, params),
    },
  };
}

async function post(webhookUrl, from, body) {
  const res = await fetch(webhookUrl, { method: 'POST', ...signedSms(webhookUrl, from, body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${body.slice(0, 20)} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}

// ---------------------------------------------------------------- Kafka and Redis

const kafka = new Kafka({ clientId: 'bench-announcement', brokers: stackEnv().Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING });

/**
 * Reads the notifications topic from the beginning (read_committed) until the completion SMS to
 * the client arrived, counting the broadcast's SendSms (total and distinct phone numbers).
 */
async function readBack(marker, clientPhone) {
  const consumer = kafka.consumer({ groupId: `bench-${runId}`, readUncommitted: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set();
  const phones = new Set();
  let total = 0;
  let completions = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const position = `${batch.partition}:${m.offset}`;
        if (seen.has(position)) continue;
        seen.add(position);
        const value = m.value?.toString('utf8') ?? '';
        const phone = /"PhoneNumber":"((?:\\u002B|\+)\d+)"/.exec(value)?.[1];
        if (value.includes(marker)) {
          total += 1;
          phones.add(phone);
        } else if (value.includes('"AnnouncementSent"') && phone?.endsWith(clientPhone.slice(2))) completions += 1;
      }
      if (total >= SUBSCRIBERS && completions > 0) done();
    },
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 120_000))]);
  await consumer.disconnect();
  return { total, distinct: phones.size, completions };
}

/** The newest broadcast's status as the broadcaster records it (libs/shared/src/broadcast). */
async function latestBroadcast(redis) {
  const [id] = await redis.zrevrange('broadcasts:by-request-time', 0, 0);
  return id ? redis.hgetall(`broadcast:${id}:status`) : undefined;
}

// ---------------------------------------------------------------- main

if (env.BENCH_SKIP_BUILD !== '1') {
  log('▶ build (npm run build)');
  await run('npm', ['run', '-s', 'build']);
}
log('▶ local stack (Kafka, Redis)');
await up(['kafka', 'redis']);

log(`▶ gateway stand-in with ${SUBSCRIBERS} subscribers`);
const peers = child('announcement-peers.mjs', { BENCH_SUBSCRIBERS: String(SUBSCRIBERS) });
const { env: peerEnv, clientPhone, clientNodeId } = await peers.answer;

const port = await freePort();
const internalPort = await freePort();
const webhookUrl = `http://127.0.0.1:${port}/api/TwilioWebhookHandler?code=${API_KEY}`;
const appEnv = {
  PATH: env.PATH,
  ...stackEnv(),
  ...peerEnv,
  NODE_ENV: 'production',
  LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
  KAFKA_TOPIC_NOTIFICATIONS: topic,
  KAFKA_TOPIC_BROADCASTS: `bench-${runId}-broadcasts`,
  KAFKA_TOPIC_PAYMENTS: `bench-${runId}-payments`,
  KAFKA_TOPIC_FOREIGN_PRODUCTS: `bench-${runId}-foreign-products`,
  KAFKA_TOPIC_DEADLETTER: `bench-${runId}-deadletter`,
  REDIS_KEY_PREFIX: prefix,
};
// Started by the launcher the tests use (test/support/app-process.ts): output kept and logged to the results folder.
const webhooksApp = await spawnApp(
  'webhooks',
  {
    ...appEnv,
    PORT: String(port),
    INTERNAL_PORT: String(internalPort),
    INTERNAL_HOST: '127.0.0.1',
    WEBHOOKS_API_KEY: API_KEY,
    STRIPE_API_KEY: 'sk_test_bench',
    STRIPE_WEBHOOKS_SECRET: 'whsec_bench',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    AccountUrl: 'https://app.example.com/account',
    StripePortalUrl: 'https://billing.stripe.com/p/login/bench',
    ClientLinkBaseUri: 'https://app.example.com',
  },
  'bench',
);
const broadcasterEnv = {
  ...appEnv,
  HEALTH_PORT: '0',
  HEALTH_HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  // As deployed (docker-compose.yml): V8 grows its old space with the allocation rate and gives it
  // back slowly, so the old space is capped; a cap alone also shrinks the young generation (V8
  // sizes it from the heap limit), which promotes the fan-out's short-lived records and costs half
  // the throughput, hence the explicit semi-space (V8's default on 64-bit).
  NODE_OPTIONS: env.BENCH_BROADCASTER_NODE_OPTIONS ?? '--max-semi-space-size=16 --max-old-space-size=192',
  ...Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('BROADCAST_'))),
};
const broadcasterPeaks = [];
async function startBroadcaster(n) {
  const nodeArgs = (env.BENCH_BROADCASTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const app = await spawnApp('broadcaster', broadcasterEnv, `bench-${n}`, { nodeArgs });
  await app.waitForOutput(/"msg":"broadcaster started"/, 60_000);
  return app;
}
let broadcaster = await startBroadcaster(0);

let exitCode = 0;
const redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
try {
  await untilReady(`http://127.0.0.1:${internalPort}/health/ready`, webhooksApp);
  // Warm-up: connections, token, localization cache, producers (a CONFIRM without a draft).
  await post(webhookUrl, clientPhone, 'HELP');
  await post(webhookUrl, clientPhone, 'CONFIRM');

  log(`▶ baseline: a bare page-through of ${SUBSCRIBERS} subscribers, 50 per request`);
  const baseline = await child('page-through.mjs', { ...peerEnv, BENCH_CLIENT_NODE_ID: clientNodeId }).answer;
  if (baseline.subscribers !== SUBSCRIBERS) throw new Error(`the baseline paged ${baseline.subscribers} subscribers`);

  const marker = `bench-${runId}`;
  await post(webhookUrl, clientPhone, `Big sale tomorrow 🎉 ${marker}`);
  log(`▶ CONFIRM to ${SUBSCRIBERS} subscribers${KILLS ? `, with ${KILLS} SIGKILLs of the broadcaster` : ''}`);
  const loadBefore = loadavg()[0];
  const started = performance.now();
  const reply = await post(webhookUrl, clientPhone, 'CONFIRM');
  const replyMs = Math.round(performance.now() - started);
  if (!/Sending your announcement|Sent to \d+ subscribers/.test(reply)) throw new Error(`unexpected CONFIRM reply: ${reply.slice(0, 200)}`);

  // Kill moments: spread at random over the expected fan-out (about the baseline's time).
  const killAt = Array.from({ length: KILLS }, () => Math.random() * baseline.ms * 0.9).sort((a, b) => a - b);
  for (const [i, at] of killAt.entries()) {
    const wait = at - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const status = await latestBroadcast(redis);
    if (status?.state === 'completed') break;
    broadcasterPeaks.push(peakRssMb(broadcaster.pid));
    broadcaster.kill('SIGKILL');
    await broadcaster.exited;
    log(`  SIGKILL ${i + 1} at ${Math.round(performance.now() - started)} ms (${status?.sent ?? 0} committed)`);
    broadcaster = await startBroadcaster(i + 1);
  }
  let status;
  for (;;) {
    status = await latestBroadcast(redis);
    if (status?.state === 'completed' || status?.state === 'failed') break;
    if (performance.now() - started > 3_600_000) throw new Error('the fan-out did not finish within an hour');
    await new Promise((r) => setTimeout(r, 200));
  }
  if (status.state !== 'completed') throw new Error(`the broadcast ended ${status.state}: ${status.reason}`);
  const fanoutMs = Date.parse(status.finishedAt) - Date.parse(status.requestedAt);
  broadcasterPeaks.push(peakRssMb(broadcaster.pid));
  const rss = { webhooks: peakRssMb(webhooksApp.pid), broadcaster: Math.max(...broadcasterPeaks) };
  log('▶ reading the notifications topic back (read_committed)');
  const committed = await readBack(marker, clientPhone);

  let help = { reqPerSec: null, p99Ms: null, non2xx: 0 };
  if (DURATION > 0) {
    log(`▶ HELP under load: ${CONNECTIONS} connections, ${DURATION} s`);
    const r = await autocannon({
      url: webhookUrl,
      method: 'POST',
      connections: CONNECTIONS,
      duration: DURATION,
      requests: [{ setupRequest: (req) => ({ ...req, ...signedSms(webhookUrl, clientPhone, 'HELP') }) }],
    });
    help = { reqPerSec: Math.round(r['2xx'] / r.duration), p99Ms: r.latency.p99, non2xx: r.non2xx };
  }

  const ratio = Math.round((baseline.ms / fanoutMs) * 100) / 100;
  console.log(`machine: ${cpus().length} cores, Node ${process.version}; load average ${loadBefore.toFixed(2)} before CONFIRM`);
  console.log(`baseline page-through: ${baseline.ms} ms for ${baseline.pages} requests of 50`);
  console.log(`CONFIRM reply ${replyMs} ms ("${/<Message>([^<]*)/.exec(reply)?.[1] ?? ''}")`);
  console.log(`fan-out ${fanoutMs} ms for ${status.sent} SendSms in ${status.pages} pages: ratio ${ratio} of the bare page-through`);
  console.log(`read back: ${committed.total} SendSms, ${committed.distinct} distinct subscribers, ${committed.completions} completion SMS`);
  console.log(`peak RSS: webhooks ${rss.webhooks} MB, broadcaster ${rss.broadcaster} MB`);
  if (DURATION > 0) console.log(`HELP: ${help.reqPerSec} req/s, p99 ${help.p99Ms} ms, non-2xx ${help.non2xx}`);
  console.log('targets: reply < 3000 ms, ratio ≥ 0.7, peak RSS < 250 MB per process, exactly one SendSms per subscriber');
  if (committed.total !== SUBSCRIBERS || committed.distinct !== SUBSCRIBERS || committed.completions !== 1 || help.non2xx > 0) {
    log('✗ the broadcast was not exactly once or the HELP run had failures (see counts above)');
    exitCode = 1;
  }
  console.log(
    JSON.stringify({
      bench: 'announcement',
      subscribers: SUBSCRIBERS,
      replyMs,
      fanoutMs,
      baselinePageThroughMs: baseline.ms,
      ratio,
      peakRssMb: Math.max(rss.webhooks, rss.broadcaster),
      webhooksPeakRssMb: rss.webhooks,
      broadcasterPeakRssMb: rss.broadcaster,
      kills: KILLS,
      committed: committed.total,
      distinct: committed.distinct,
      helpReqPerSec: help.reqPerSec,
      helpP99Ms: help.p99Ms,
    }),
  );
} catch (err) {
  log(`✗ ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  redis.disconnect();
  broadcaster.kill('SIGTERM');
  webhooksApp.kill('SIGTERM');
  await Promise.all([broadcaster.exited, webhooksApp.exited, stopProcess(peers.proc, true)]);
}
process.exit(exitCode);
