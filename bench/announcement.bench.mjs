#!/usr/bin/env node
// npm run bench:announcement — CONFIRM of an announcement to BENCH_SUBSCRIBERS (100,000)
// subscribers, and the HELP command under load.
//
// The webhooks app runs as its own process (the built dist/apps/webhooks/main.js, as deployed)
// against Kafka and Redis from the local stack and the OIDC + GraphQL gateway stand-ins (another
// process). This process drafts an announcement, sends CONFIRM and measures:
//   replyMs         CONFIRM sent → TwiML reply received
//   allCommittedMs  CONFIRM sent → the notifications topic's last stable offsets (read_committed)
//                   cover every SendSms of the broadcast, i.e. the transaction is committed
//   peakRssMb       the webhooks process's peak resident set size (VmHWM), start-up included
// then reads the topic back (read_committed) to check that exactly BENCH_SUBSCRIBERS arrived, and
// runs autocannon with signed HELP webhooks (each with its own MessageSid).
//
//   BENCH_SUBSCRIBERS (default 100000)   BENCH_DURATION (s, default 10)   BENCH_CONNECTIONS (default 16)
//   BENCH_POLL_MS (default 50) how often the committed offsets are polled during the CONFIRM
//   BENCH_SKIP_BUILD=1 to use the existing dist/ build
//   BENCH_CPU_PROF=<dir> runs the webhooks process with --cpu-prof (profile written to <dir> on exit)
//   BENCH_GATEWAY_CPU_PROF=<dir> the same for the gateway stand-in's process
//   BENCH_NODE_OPTIONS extra node flags for the webhooks process (e.g. --max-semi-space-size=32)
// It also prints the CPU time each process spent during the measured CONFIRM (/proc/<pid>/stat):
// the webhooks service, the gateway stand-in and the Kafka broker, and the machine's load average.
// The last line of output is one JSON object with the figures.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import twilio from 'twilio';
import { STACK_DEFAULTS, stackEnv, up } from '../scripts/stack.mjs';
import { spawnApp } from '../test/support/app-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const env = process.env;
const SUBSCRIBERS = Number(env.BENCH_SUBSCRIBERS ?? 100_000);
const DURATION = Number(env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
const POLL_MS = Number(env.BENCH_POLL_MS ?? 50);
const API_KEY = 'bench-api-key-for-both-webhook-endpoints';
const AUTH_TOKEN = 'bench-twilio-token';
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `bench-${runId}-notifications`;

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

function startPeers() {
  const proc = fork(join(here, 'support', 'announcement-peers.mjs'), [], {
    execArgv: [
      '--import',
      join(here, 'support', 'register-ts.mjs'),
      ...(env.BENCH_GATEWAY_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', env.BENCH_GATEWAY_CPU_PROF] : []),
    ],
    // Run like a deployed service (graphql-js skips its development-only checks); it shares the
    // 2 cores with the process being measured.
    env: { ...env, NODE_ENV: 'production', BENCH_SUBSCRIBERS: String(SUBSCRIBERS) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`gateway stand-in exited with ${code}`)));
    proc.on('message', (m) => m?.ready && resolve(m));
  });
  return { proc, ready };
}

async function waitForHealth(url, proc) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`webhooks exited with ${proc.child.exitCode}:\n${proc.output().slice(-3000)}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('webhooks did not become ready within 60 s');
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

/** User + system CPU time of a process so far, in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
const cpuMs = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
};

/** The Kafka broker's pid, from the local stack's PID file (undefined when not known). */
const kafkaPid = () => {
  try {
    return Number(readFileSync(join(STACK_DEFAULTS.stateDir, 'pids', 'kafka.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
};

/** VmHWM (peak) or VmRSS (current) of a process, in MB. */
const rssMb = (pid, field = 'VmHWM') => {
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
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

// ---------------------------------------------------------------- Kafka

const kafka = new Kafka({ clientId: 'bench-announcement', brokers: stackEnv().Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING });

/** Sum of the last stable offsets (what read_committed readers can see) over the topic's partitions. */
async function committedEnd(admin) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.offset), 0);
}

/** Reads the topic from the beginning (read_committed) and counts the broadcast's messages. */
async function countCommitted(marker, expected) {
  const consumer = kafka.consumer({ groupId: `bench-${runId}`, readUncommitted: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.value?.includes(marker)) count += 1;
      if (count >= expected) done();
    },
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, 60_000));
  await Promise.race([all, timeout]);
  await consumer.disconnect();
  return count;
}

// ---------------------------------------------------------------- main

if (env.BENCH_SKIP_BUILD !== '1') {
  log('▶ build (npm run build)');
  await run('npm', ['run', '-s', 'build']);
}
log('▶ local stack (Kafka, Redis)');
await up(['kafka', 'redis']);

log(`▶ gateway stand-in with ${SUBSCRIBERS} subscribers`);
const peers = startPeers();
const { env: peerEnv, clientPhone } = await peers.ready;

const port = await freePort();
const internalPort = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const webhookUrl = `${baseUrl}/api/TwilioWebhookHandler?code=${API_KEY}`;
const profileArgs = env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', env.BENCH_CPU_PROF] : [];
const nodeArgs = (env.BENCH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
// Started by the launcher the tests use (test/support/app-process.ts): output kept and logged to the results folder.
const webhooksApp = await spawnApp(
  'webhooks',
  {
    PATH: env.PATH,
    ...stackEnv(),
    ...peerEnv,
    NODE_ENV: 'production',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
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
    KAFKA_TOPIC_NOTIFICATIONS: topic,
    KAFKA_TOPIC_PAYMENTS: `bench-${runId}-payments`,
    KAFKA_TOPIC_FOREIGN_PRODUCTS: `bench-${runId}-foreign-products`,
    KAFKA_TOPIC_DEADLETTER: `bench-${runId}-deadletter`,
    REDIS_KEY_PREFIX: `bench-${runId}:`,
    // Tuning knobs pass through, e.g. ANNOUNCEMENT_KAFKA_CHUNK=1000.
    ...Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('ANNOUNCEMENT_'))),
  },
  'bench',
  { nodeArgs: [...nodeArgs, ...profileArgs], entry: env.BENCH_WEBHOOKS_ENTRY },
);
const webhooks = webhooksApp.child;

let exitCode = 0;
const admin = kafka.admin();
try {
  await waitForHealth(`http://127.0.0.1:${internalPort}`, webhooksApp);
  await admin.connect();

  // Warm-up: connections, token, localization cache, transactional producer (a small broadcast
  // would need another client; a CONFIRM without a draft exercises the rest).
  await post(webhookUrl, clientPhone, 'HELP');
  await post(webhookUrl, clientPhone, 'CONFIRM');

  const marker = `bench-${runId}`;
  await post(webhookUrl, clientPhone, `Big sale tomorrow 🎉 ${marker}`);
  const before = await committedEnd(admin);
  const rssBefore = rssMb(webhooks.pid, 'VmRSS');
  const peakBefore = rssMb(webhooks.pid);
  log(`▶ CONFIRM to ${SUBSCRIBERS} subscribers`);
  const watched = { webhooks: webhooks.pid, gateway: peers.proc.pid, kafka: kafkaPid(), bench: process.pid };
  const cpuBefore = Object.fromEntries(Object.entries(watched).map(([name, pid]) => [name, pid ? cpuMs(pid) : NaN]));
  const loadBefore = loadavg()[0];
  const started = performance.now();
  let allCommittedMs;
  const watching = (async () => {
    // One commit marker per partition written to; the broadcast is committed once the stable
    // offsets have moved past every message. Each poll costs this process and the broker about
    // 1.5 ms of CPU, which on 2 cores competes with what is measured; every POLL_MS, the figure is
    // an upper bound at most POLL_MS (plus one poll) late.
    while (allCommittedMs === undefined && performance.now() - started < 120_000) {
      if ((await committedEnd(admin)) - before >= SUBSCRIBERS) allCommittedMs = Math.round(performance.now() - started);
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  const reply = await post(webhookUrl, clientPhone, 'CONFIRM');
  const replyMs = Math.round(performance.now() - started);
  const cpuDuring = Object.fromEntries(Object.entries(watched).map(([name, pid]) => [name, pid ? cpuMs(pid) - cpuBefore[name] : NaN]));
  await watching;
  const expectedReply = `Sent to ${SUBSCRIBERS} subscribers`;
  if (!reply.includes(expectedReply)) throw new Error(`unexpected CONFIRM reply: ${reply.slice(0, 200)}`);
  const delivered = await countCommitted(marker, SUBSCRIBERS);
  const rss = rssMb(webhooks.pid);

  log(`▶ HELP under load: ${CONNECTIONS} connections, ${DURATION} s`);
  const help = await autocannon({
    url: webhookUrl,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ setupRequest: (req) => ({ ...req, ...signedSms(webhookUrl, clientPhone, 'HELP') }) }],
  });
  const helpReqPerSec = Math.round(help['2xx'] / help.duration);
  const helpP99Ms = help.latency.p99;

  console.log(`machine: ${cpus().length} cores, Node ${process.version}`);
  console.log(`CONFIRM to ${SUBSCRIBERS} subscribers: reply ${replyMs} ms, all committed ${allCommittedMs} ms, read back ${delivered}`);
  console.log(`load average (1 min): ${loadBefore.toFixed(2)} before CONFIRM, ${loadavg()[0].toFixed(2)} after the run`);
  console.log(
    `CPU during CONFIRM (ms): ${Object.entries(cpuDuring)
      .map(([name, ms]) => `${name} ${ms}`)
      .join(', ')}`,
  );
  console.log(`webhooks RSS: ${rssBefore} MB before CONFIRM (peak so far ${peakBefore} MB), peak ${rss} MB after it (VmHWM)`);
  console.log(
    `HELP: ${helpReqPerSec} req/s, p50 ${help.latency.p50} ms, p99 ${helpP99Ms} ms, 2xx ${help['2xx']}, non-2xx ${help.non2xx}, errors ${help.errors + help.timeouts}`,
  );
  console.log(`targets: reply < 3000 ms, all committed < 5000 ms, RSS < 250 MB`);
  if (delivered !== SUBSCRIBERS || help.non2xx > 0 || allCommittedMs === undefined) {
    log('✗ the broadcast or the HELP run was incomplete (see counts above)');
    exitCode = 1;
  }
  console.log(
    JSON.stringify({
      bench: 'announcement',
      subscribers: SUBSCRIBERS,
      replyMs,
      allCommittedMs: allCommittedMs ?? null,
      peakRssMb: rss,
      helpReqPerSec,
      helpP99Ms,
    }),
  );
} catch (err) {
  log(`✗ ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await admin.disconnect().catch(() => undefined);
  await Promise.all([stopProcess(webhooks), stopProcess(peers.proc, true)]);
}
process.exit(exitCode);
