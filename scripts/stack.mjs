#!/usr/bin/env node
// The local stack: real Apache Kafka (KRaft), Redis, stripe-mock and Prism (Twilio's OpenAPI spec)
// on 127.0.0.1, for tests, the demo and development. No Docker needed.
//
//   node scripts/stack.mjs up [component...]     start (idempotent: running ones are reused)
//   node scripts/stack.mjs down [component...]   stop exactly what `up` started (PID files)
//   node scripts/stack.mjs status                one line per component
//   node scripts/stack.mjs env                   the env variables that point the apps at the stack
//
// Components: kafka, redis, stripe-mock, prism. Ports, versions and folders come from env (see
// STACK_DEFAULTS below); state (PID files, data, logs) lives in .stack/ and downloaded artefacts
// (Kafka jars, the stripe-mock binary) in ~/.cache/nudges-stack, outside the tracked files.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;

export const STACK_DEFAULTS = {
  host: '127.0.0.1',
  kafkaPort: Number(env.STACK_KAFKA_PORT ?? 19092),
  kafkaControllerPort: Number(env.STACK_KAFKA_CONTROLLER_PORT ?? 19093),
  kafkaVersion: env.STACK_KAFKA_VERSION ?? '3.9.2',
  redisPort: Number(env.STACK_REDIS_PORT ?? 16379),
  stripeMockPort: Number(env.STACK_STRIPE_MOCK_PORT ?? 12111),
  stripeMockVersion: env.STACK_STRIPE_MOCK_VERSION ?? 'v0.203.0',
  prismPort: Number(env.STACK_PRISM_PORT ?? 14010),
  stateDir: resolve(env.STACK_DIR ?? join(repo, '.stack')),
  cacheDir: resolve(env.STACK_CACHE_DIR ?? join(homedir(), '.cache', 'nudges-stack')),
};

const cfg = STACK_DEFAULTS;
const logsDir = join(cfg.stateDir, 'logs');
const pidsDir = join(cfg.stateDir, 'pids');

/** Env variables the apps and tests use to reach the stack. */
export function stackEnv() {
  return {
    Kafka__BrokerList: `${cfg.host}:${cfg.kafkaPort}`,
    REDIS_URL: `redis://${cfg.host}:${cfg.redisPort}`,
    STRIPE_API_URL: `http://${cfg.host}:${cfg.stripeMockPort}`,
    TWILIO_API_URL: `http://${cfg.host}:${cfg.prismPort}`,
  };
}

const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);

class StackError extends Error {}

// ---------------------------------------------------------------- helpers

function portOpen(port, host = cfg.host) {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => { socket.destroy(); done(false); });
  });
}

async function waitFor(what, check, { timeoutMs = 90_000, intervalMs = 250, pid } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (pid !== undefined && !alive(pid)) throw new StackError(`${what} exited during start-up; see its log in ${logsDir}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new StackError(`${what} not ready after ${timeoutMs / 1000}s; see ${logsDir}`);
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

const pidFile = (name) => join(pidsDir, `${name}.pid`);

function readPid(name) {
  try { return Number(readFileSync(pidFile(name), 'utf8').trim()) || undefined; } catch { return undefined; }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    throw new StackError(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${(r.stderr || r.stdout || r.error?.message || '').slice(-2000)}`);
  }
  return r.stdout;
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function startDetached(name, cmd, args, opts = {}) {
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(pidsDir, { recursive: true });
  const out = openSync(join(logsDir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], ...opts });
  child.unref();
  writeFileSync(pidFile(name), String(child.pid));
  return child.pid;
}

/**
 * Decides whether a component must be started: reuse ours when it is running, refuse when its port
 * is held by a process we did not start.
 */
async function claim(name, ports) {
  const pid = readPid(name);
  if (pid && alive(pid)) {
    if (await portOpen(ports[0])) return 'running';
  } else if (pid) {
    rmSync(pidFile(name), { force: true });
  }
  for (const port of ports) {
    if (await portOpen(port)) {
      throw new StackError(`${name}: port ${port} is already taken by another process (not started by this stack). Free it or set another port (see scripts/stack.mjs).`);
    }
  }
  return 'free';
}

// ---------------------------------------------------------------- components

const components = {
  redis: {
    ports: () => [cfg.redisPort],
    async start() {
      const bin = ensureRedis();
      const dir = join(cfg.stateDir, 'redis');
      mkdirSync(dir, { recursive: true });
      // Foreground process (no --daemonize) so the PID we record is the server's own.
      const pid = startDetached('redis', bin, [
        '--port', String(cfg.redisPort), '--bind', cfg.host, '--save', '', '--appendonly', 'no',
        '--dir', dir, '--protected-mode', 'yes', '--maxmemory-policy', 'noeviction',
      ]);
      await waitFor('redis', () => portOpen(cfg.redisPort), { pid, timeoutMs: 15_000 });
    },
  },

  kafka: {
    ports: () => [cfg.kafkaPort, cfg.kafkaControllerPort],
    async start() {
      const jars = ensureKafkaJars();
      const dir = join(cfg.stateDir, `kafka-${cfg.kafkaVersion}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      const props = join(dir, 'server.properties');
      writeFileSync(props, kafkaProperties(dataDir));
      const classpath = `${jars}/*`;
      const javaOpts = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-Djava.awt.headless=true', kafkaLoggingOption(dir)];
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        run('java', ['-cp', classpath, ...javaOpts, 'kafka.tools.StorageTool', 'format', '-t', kafkaClusterId(), '-c', props]);
      }
      const from = logSize('kafka');
      const pid = startDetached('kafka', 'java', ['-cp', classpath, ...javaOpts, 'kafka.Kafka', props]);
      await waitFor('kafka', async () => kafkaStartedSince(from) && (await portOpen(cfg.kafkaPort)), { pid, timeoutMs: 120_000 });
    },
  },

  'stripe-mock': {
    ports: () => [cfg.stripeMockPort, cfg.stripeMockPort + 1],
    async start() {
      const bin = ensureStripeMock();
      // stripe-mock serves HTTPS too (default :12112); keep it next to the HTTP port so stacks on other ports don't collide.
      const pid = startDetached('stripe-mock', bin, ['-http-addr', `${cfg.host}:${cfg.stripeMockPort}`, '-https-addr', `${cfg.host}:${cfg.stripeMockPort + 1}`]);
      await waitFor('stripe-mock', () => portOpen(cfg.stripeMockPort), { pid, timeoutMs: 30_000 });
    },
  },

  prism: {
    ports: () => [cfg.prismPort],
    async start() {
      const prism = join(repo, 'node_modules', '.bin', 'prism');
      const spec = twilioSpecPath();
      if (!existsSync(prism)) throw new StackError('prism is not installed: run `npm ci` first');
      const pid = startDetached('prism', prism, ['mock', '-h', cfg.host, '-p', String(cfg.prismPort), spec]);
      await waitFor('prism', () => portOpen(cfg.prismPort), { pid, timeoutMs: 60_000 });
    },
  },
};

export const COMPONENTS = Object.keys(components);

// ---------------------------------------------------------------- installs

function ensureRedis() {
  const found = which('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0) throw new StackError('redis-server is missing; install it with `sudo apt-get install -y redis-server`');
  log('installing redis-server from Debian (apt-get)…');
  run('apt-get', ['update', '-qq'], { timeout: 300_000 });
  run('apt-get', ['install', '-y', '-qq', 'redis-server'], { timeout: 300_000, env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  // Debian's package may start a system instance on 6379; we never use it.
  return which('redis-server') ?? '/usr/bin/redis-server';
}

function ensureKafkaJars() {
  const dir = join(cfg.cacheDir, `kafka-${cfg.kafkaVersion}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  if (!which('mvn')) throw new StackError('Maven (mvn) is required to fetch Kafka jars from Maven Central');
  log(`fetching Apache Kafka ${cfg.kafkaVersion} jars from Maven Central…`);
  rmSync(dir, { recursive: true, force: true });
  const major = Number(cfg.kafkaVersion.split('.')[0]);
  run('mvn', [
    '-q', '-B', '-f', join(repo, 'scripts', 'stack', major >= 4 ? 'kafka4-pom.xml' : 'kafka-pom.xml'),
    `-Dkafka.version=${cfg.kafkaVersion}`, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`, '-DincludeScope=runtime',
  ], { timeout: 600_000 });
  writeFileSync(marker, new Date().toISOString());
  return dir;
}

function ensureStripeMock() {
  const binDir = join(cfg.cacheDir, `stripe-mock-${cfg.stripeMockVersion}`);
  const bin = join(binDir, 'stripe-mock');
  if (existsSync(bin)) return bin;
  if (!which('go')) throw new StackError('Go is required to install stripe-mock (`go install`)');
  log(`installing stripe-mock ${cfg.stripeMockVersion} with go install…`);
  run('go', ['install', `github.com/stripe/stripe-mock@${cfg.stripeMockVersion}`], {
    timeout: 600_000, env: { ...env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
  });
  return bin;
}

export function twilioSpecPath() {
  return join(repo, 'node_modules', '@twilio-alpha', 'mcp', 'twilio-oai', 'spec', 'json', 'twilio_api_v2010.json');
}

// ---------------------------------------------------------------- kafka details

function kafkaClusterId() {
  // Kafka wants a base64url-encoded 16-byte UUID.
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** True once the broker started after byte `from` of its log (earlier boots are ignored). */
function kafkaStartedSince(from) {
  try {
    const text = readFileSync(join(logsDir, 'kafka.log')).subarray(from).toString('utf8');
    return /Transition from STARTING to STARTED|Kafka Server started/.test(text);
  } catch {
    return false;
  }
}

function logSize(name) {
  try { return statSync(join(logsDir, `${name}.log`)).size; } catch { return 0; }
}

function kafkaProperties(dataDir) {
  const { host, kafkaPort, kafkaControllerPort } = cfg;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${kafkaControllerPort}`,
    `listeners=PLAINTEXT://${host}:${kafkaPort},CONTROLLER://${host}:${kafkaControllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=6',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'log.retention.hours=24',
    'log.segment.bytes=104857600',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

/** Kafka 3.x logs through log4j 1 (reload4j), 4.x through log4j2: each wants its own config file. */
function kafkaLoggingOption(dir) {
  const log4j2 = Number(cfg.kafkaVersion.split('.')[0]) >= 4;
  const file = join(dir, log4j2 ? 'log4j2.properties' : 'log4j.properties');
  writeFileSync(file, log4j2 ? KAFKA_LOG4J2 : KAFKA_LOG4J);
  return log4j2 ? `-Dlog4j2.configurationFile=${file}` : `-Dlog4j.configuration=file:${file}`;
}

const KAFKA_LOG4J2 = [
  'status=warn',
  'appender.console.type=Console',
  'appender.console.name=STDOUT',
  'appender.console.layout.type=PatternLayout',
  'appender.console.layout.pattern=[%d] %p %m (%c)%n',
  'rootLogger.level=warn',
  'rootLogger.appenderRef.stdout.ref=STDOUT',
  'logger.broker.name=kafka.server.BrokerServer',
  'logger.broker.level=info',
  'logger.raft.name=kafka.server.KafkaRaftServer',
  'logger.raft.level=info',
  '',
].join('\n');

const KAFKA_LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  'log4j.logger.org.apache.kafka.common.utils.AppInfoParser=INFO',
  '',
].join('\n');

// ---------------------------------------------------------------- commands

export async function up(names = COMPONENTS) {
  const started = [];
  for (const name of names) {
    const c = components[name];
    if (!c) throw new StackError(`unknown component ${name}; known: ${COMPONENTS.join(', ')}`);
    if ((await claim(name, c.ports())) === 'running') {
      log(`${name}: already running (reused)`);
      continue;
    }
    const t0 = Date.now();
    await c.start();
    started.push(name);
    log(`${name}: ready on ${cfg.host}:${c.ports()[0]} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  return started;
}

export async function down(names = COMPONENTS) {
  for (const name of [...names].reverse()) {
    const pid = readPid(name);
    if (!pid) continue;
    if (alive(pid)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 20_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      log(`${name}: stopped (pid ${pid})`);
    }
    rmSync(pidFile(name), { force: true });
  }
}

export async function status() {
  const lines = [];
  for (const name of COMPONENTS) {
    const pid = readPid(name);
    const port = components[name].ports()[0];
    const running = pid && alive(pid) && (await portOpen(port));
    lines.push(`${name.padEnd(12)} ${running ? `running  pid ${pid}  ${cfg.host}:${port}` : 'stopped'}`);
  }
  return lines;
}

/** Stops one component's process without forgetting it, to simulate an outage (tests). */
export async function stopComponent(name) { await down([name]); }

/** Wipes Kafka's data (topics and offsets); the broker must be down. */
export function resetKafkaData() {
  rmSync(join(cfg.stateDir, `kafka-${cfg.kafkaVersion}`), { recursive: true, force: true });
}

async function main() {
  const [command = 'status', ...rest] = process.argv.slice(2);
  const names = rest.length ? rest : COMPONENTS;
  try {
    if (command === 'up') await up(names);
    else if (command === 'down') await down(names);
    else if (command === 'status') console.log((await status()).join('\n'));
    else if (command === 'env') for (const [k, v] of Object.entries(stackEnv())) console.log(`${k}=${v}`);
    else if (command === 'logs') console.log(readdirSync(logsDir).map((f) => join(logsDir, f)).join('\n'));
    else throw new StackError(`usage: stack.mjs up|down|status|env|logs [${COMPONENTS.join('|')}...]`);
  } catch (err) {
    log(err instanceof StackError ? err.message : String(err?.stack ?? err));
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
