#!/usr/bin/env node
// Notifier throughput benchmark (not a test). One run measures, against the local stack's real
// Kafka and Redis and the recording Twilio sink (its own process):
//   1. the raw kafkajs drain rate of the pre-filled topic with a no-op handler;
//   2. the raw HTTP POST rate to the sink at the notifier's concurrency;
//   3. the built notifier (NOTIFIER=twilio → sink) draining the same topic: SMS/s, peak RSS;
//   4. the notifier with TWILIO_MAX_MPS=100: the measured rate.
// The last line of output is one JSON object, so runs can be compared mechanically.
//
//   npm run bench:notifier -- [--events 50000] [--no-build]
// (node --import ./scripts/lib/register-ts.mjs bench/notifier.bench.mjs: the notifier is started by
// test/support/app-process.ts, the launcher the tests use, which rebuilds it when its sources are newer.)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { up, stackEnv } from '../scripts/stack.mjs';
import { builtAppEntry, spawnApp } from '../test/support/app-process.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(
    'npm run bench:notifier -- [--events 50000] [--paced-events 1500] [--message-concurrency 16] [--no-build] [--profile]\n',
  );
  process.exit(0);
}
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const EVENTS = Number(arg('events', 50_000));
const PACED_EVENTS = Number(arg('paced-events', 1_500));
const PACED_MPS = 100;
const PARTITIONS = 6;
const PARTITION_CONCURRENCY = 6;
const MESSAGE_CONCURRENCY = Number(arg('message-concurrency', 16));
const CONCURRENCY = PARTITION_CONCURRENCY * MESSAGE_CONCURRENCY;
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const SERVICE_SID = `MG${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'bench-token';
const runId = Date.now().toString(36);
const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=128';

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ setup

/** The built notifier (`--no-build`: whatever dist/ holds, even if older than the sources). */
async function notifierEntry() {
  const entry = [join(repo, 'dist/apps/notifier/main.js'), join(repo, 'dist/apps/notifier/apps/notifier/src/main.js')].find((p) =>
    existsSync(p),
  );
  if (entry && args.includes('--no-build')) return entry;
  log('building the notifier when its sources are newer than dist/ (nest build notifier)…');
  return builtAppEntry('notifier');
}

/** The sink is TypeScript (tests import it from source); compile it with SWC to run it as its own process. */
function compileSink() {
  const swc = require('@swc/core');
  const src = join(repo, 'peers/twilio-sink');
  const out = join(tmpdir(), 'nudges-bench', 'twilio-sink');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const { code } = swc.transformFileSync(join(src, file), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), code);
  }
  return join(out, 'main.js');
}

function startSink(main) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, TWILIO_SINK_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => {
      const match = /"twilioSink":"([^"]+)"/.exec(chunk.toString());
      if (match) done({ url: match[1], child });
    });
    child.once('exit', (code) => fail(new Error(`sink exited (${code})`)));
  });
}

async function sinkCall(url, method, path, body) {
  const res = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

const phone = (i) => `+1555${String(i).padStart(7, '0')}`;

/** 90 % one broadcast text (an announcement), 10 % distinct texts (one-time codes), both locales. */
function event(i) {
  const locale = i % 3 === 0 ? 'es-ES' : 'en-US';
  const value =
    i % 10 === 0
      ? {
          $type: 'notification.sendSms',
          PhoneNumber: phone(i),
          ResourceKey: 'SendOtp',
          Locale: locale,
          Replacements: { otp: String(100000 + i) },
        }
      : {
          $type: 'notification.sendSms',
          PhoneNumber: phone(i),
          ResourceKey: 'AnnouncementTemplate',
          Locale: 'en-US',
          Replacements: {
            clientName: 'Acme Yoga',
            smsBody: 'Big sale tomorrow, 20% off all classes!',
            link: 'https://nudges.example/a/42',
          },
        };
  return { key: `{"EventType":"SendSms","Recipient":"r${i}"}`, value: JSON.stringify(value) };
}

async function fillTopic(kafka, topic, count) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < count; i += 2000) {
    // CreateTime set here, as a C# producer sets it: kafkajs would stamp each attempt anew, and
    // a resend of partitions already written would then add events of their own.
    const timestamp = String(Date.now());
    const messages = [];
    for (let j = i; j < Math.min(count, i + 2000); j++) messages.push({ ...event(j), timestamp });
    await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
  }
  await producer.disconnect();
}

// ------------------------------------------------------------------ baselines

async function rawKafkaDrain(kafka, topic, count) {
  const consumer = kafka.consumer({ groupId: `bench-raw-${runId}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let joinedAt = 0;
  let last = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (joinedAt = Date.now()));
  const finished = new Promise((done) => {
    consumer.run({
      partitionsConsumedConcurrently: PARTITION_CONCURRENCY,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= count) {
          last = Date.now();
          done();
        }
      },
    });
  });
  await finished;
  await consumer.disconnect();
  // Same clock and same span as the notifier's figure: from joining the group to the last message.
  return (count * 1000) / (last - joinedAt);
}

async function rawHttp(sinkUrl, count) {
  const url = new URL(`${sinkUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const body = (i) =>
    new URLSearchParams({
      To: phone(i),
      MessagingServiceSid: SERVICE_SID,
      Body: 'Acme Yoga: Big sale tomorrow, 20% off all classes! https://nudges.example/a/42',
    }).toString();
  let next = 0;
  const post = (i) =>
    new Promise((done, fail) => {
      const text = body(i);
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(text) },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 201 ? done() : fail(new Error(`sink answered ${res.statusCode}`))));
        },
      );
      req.on('error', fail);
      req.end(text);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await post(next++);
    }),
  );
  const rate = (count * 1000) / (performance.now() - started);
  agent.destroy();
  return rate;
}

// ------------------------------------------------------------------ notifier runs

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function runNotifier(entry, { topic, sinkUrl, count, extraEnv = {} }) {
  const env = stackEnv();
  await sinkCall(sinkUrl, 'POST', '/_sink/reset');
  const profile = args.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'nudges-bench', 'profiles')}`] : [];
  const notifier = await spawnApp(
    'notifier',
    {
      NODE_ENV: 'production',
      Kafka__BrokerList: env.Kafka__BrokerList,
      REDIS_URL: env.REDIS_URL,
      REDIS_KEY_PREFIX: `bench-${runId}-${topic}:`,
      KAFKA_TOPIC_NOTIFICATIONS: topic,
      KAFKA_TOPIC_DEADLETTER: `bench-deadletter-${runId}`,
      KAFKA_CONSUMER_GROUP: `bench-notifier-${runId}-${topic}`,
      NOTIFIER: 'twilio',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_MESSAGE_SERVICE_SID: SERVICE_SID,
      TWILIO_API_URL: sinkUrl,
      NOTIFIER_PARTITION_CONCURRENCY: String(PARTITION_CONCURRENCY),
      NOTIFIER_MESSAGE_CONCURRENCY: String(MESSAGE_CONCURRENCY),
      NOTIFIER_DEDUPE_TTL_HOURS: '1',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
      NOTIFIER_STATS_INTERVAL_MS: '1000',
      // The heap cap docs/notifier.md recommends for production (BENCH_NODE_OPTIONS='' runs without it).
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...extraEnv,
    },
    'bench',
    { nodeArgs: profile, entry },
  );
  const { child, exited } = notifier;
  const startedAt = Date.now();
  let stats;
  let peak = 0;
  let cpuAtFirst;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    await sleep(250);
    if (child.exitCode !== null) throw new Error(`notifier exited early:\n${notifier.output().slice(-3000)}`);
    peak = Math.max(peak, peakRssMb(child.pid));
    stats = await sinkCall(sinkUrl, 'GET', '/_sink/stats');
    if (!cpuAtFirst && stats.accepted > 0) cpuAtFirst = { cpu: cpuSeconds(child.pid), accepted: stats.accepted };
    if (stats.accepted >= count) break;
    if (Date.now() > deadline) throw new Error(`notifier delivered only ${stats.accepted} of ${count}`);
  }
  peak = Math.max(peak, peakRssMb(child.pid));
  const cpu = cpuSeconds(child.pid);
  notifier.kill('SIGTERM');
  await exited;
  const output = notifier.output();
  if (process.env.BENCH_VERBOSE)
    process.stderr.write(
      output
        .split('\n')
        .filter((l) => l.includes('notifications processed'))
        .join('\n') + '\n',
    );
  // From the notifier joining its group (its log line's time) to the sink accepting the last SMS.
  const joined = output.split('\n').find((l) => l.includes('"msg":"joined consumer group"'));
  const joinedAt = joined ? JSON.parse(joined).time : stats.firstAcceptedAt;
  const rate = (stats.accepted * 1000) / (stats.lastAcceptedAt - joinedAt);
  const pacedRate = ((stats.accepted - 1) * 1000) / (stats.lastAcceptedAt - stats.firstAcceptedAt);
  // CPU share of one core while it worked (start-up included): tells CPU-bound from waiting.
  const cpuPercent = (cpu * 100_000) / (stats.lastAcceptedAt - startedAt);
  return {
    rate,
    pacedRate,
    peakRssMb: peak,
    cpuPercent,
    cpuUsPerSms: ((cpu - cpuAtFirst.cpu) * 1e6) / (stats.accepted - cpuAtFirst.accepted),
    duplicates: stats.duplicates,
    accepted: stats.accepted,
  };
}

// ------------------------------------------------------------------ main

const round = (x, digits = 0) => Number(x.toFixed(digits));

log(
  `events: ${EVENTS}, partitions: ${PARTITIONS}, concurrency: ${PARTITION_CONCURRENCY}×${MESSAGE_CONCURRENCY}, notifier NODE_OPTIONS: ${nodeOptions || '(none)'}`,
);
await up(['kafka', 'redis']);
const entry = await notifierEntry();
const sink = await startSink(compileSink());
const kafka = new Kafka({ clientId: 'bench', brokers: stackEnv().Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING });
const topic = `bench-notify-${runId}`;
const pacedTopic = `bench-paced-${runId}`;
try {
  log(`filling ${topic} with ${EVENTS} SendSms events…`);
  await fillTopic(kafka, topic, EVENTS);
  await fillTopic(kafka, pacedTopic, PACED_EVENTS);

  log('raw kafkajs drain (no-op handler)…');
  const rawKafkaPerSec = await rawKafkaDrain(kafka, topic, EVENTS);
  log(`  ${round(rawKafkaPerSec)} msg/s`);

  log(`raw HTTP POST to the sink (concurrency ${CONCURRENCY})…`);
  const rawHttpPerSec = await rawHttp(sink.url, EVENTS);
  log(`  ${round(rawHttpPerSec)} req/s`);

  log('notifier (NOTIFIER=twilio → sink)…');
  const full = await runNotifier(entry, { topic, sinkUrl: sink.url, count: EVENTS });
  log(
    `  ${round(full.rate)} SMS/s, peak RSS ${round(full.peakRssMb, 1)} MB, CPU ${round(full.cpuPercent)} % of a core (${round(full.cpuUsPerSms)} µs CPU per SMS), duplicates ${full.duplicates}`,
  );

  log(`notifier with TWILIO_MAX_MPS=${PACED_MPS} (${PACED_EVENTS} events)…`);
  const paced = await runNotifier(entry, {
    topic: pacedTopic,
    sinkUrl: sink.url,
    count: PACED_EVENTS,
    extraEnv: { TWILIO_MAX_MPS: String(PACED_MPS) },
  });
  log(`  ${round(paced.pacedRate, 1)} SMS/s`);

  const result = {
    bench: 'notifier',
    events: EVENTS,
    smsPerSec: round(full.rate),
    rawKafkaPerSec: round(rawKafkaPerSec),
    rawHttpPerSec: round(rawHttpPerSec),
    ratio: round(full.rate / Math.min(rawKafkaPerSec, rawHttpPerSec), 2),
    peakRssMb: round(full.peakRssMb, 1),
    duplicates: full.duplicates + paced.duplicates,
    pacedTargetMps: PACED_MPS,
    pacedMeasuredMps: round(paced.pacedRate, 1),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  sink.child.kill('SIGTERM');
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, pacedTopic] }).catch(() => undefined);
  await admin.disconnect();
}
