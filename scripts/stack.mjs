#!/usr/bin/env node
// The local stack: real Apache Kafka (KRaft), Redis, stripe-mock and Prism (Twilio's OpenAPI spec)
// on 127.0.0.1, for tests, the demo and development. No Docker needed.
//
//   node scripts/stack.mjs up [component...]     start (idempotent: running ones are reused)
//   node scripts/stack.mjs down [component...]   stop exactly what `up` started (PID files)
//   node scripts/stack.mjs status                one line per component
//   node scripts/stack.mjs env                   the env variables that point the apps at the stack
//   node scripts/stack.mjs controller            the active KRaft controller (cluster mode)
//
// Components: kafka, redis, stripe-mock, prism. Ports, versions and folders come from env (see
// configure() below); state (PID files, data, logs) lives in .stack/ and downloaded artefacts
// (Kafka jars, the stripe-mock binary) in ~/.cache/nudges-stack, outside the tracked files.
//
// Cluster mode (`--brokers 3` or STACK_KAFKA_BROKERS=3): three KRaft nodes (combined broker +
// controller roles, a 3-voter quorum), replication factor 3 and min.insync.replicas=2 everywhere,
// and Redis with an append-only file. It has its own ports (Kafka 29092/29102/29112, Redis 26379,
// stripe-mock 22111, Prism 24010) and folder (.stack-cluster/), so it runs beside the default
// single-broker stack. `kafka-1`..`kafka-3` name single nodes for up/down (see docs/local-stack.md).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;

/** The stack's settings from env; cluster mode (STACK_KAFKA_BROKERS > 1) has its own ports and folder. */
function configure(e = process.env) {
  const brokers = Number(e.STACK_KAFKA_BROKERS ?? 1);
  if (!Number.isInteger(brokers) || brokers < 1 || brokers === 2 || brokers > 5) {
    throw new Error(`STACK_KAFKA_BROKERS=${e.STACK_KAFKA_BROKERS}: 1 (default) or 3 to 5 (a quorum of 2 survives no failure)`);
  }
  const cluster = brokers > 1;
  const port = (name, single, clustered) => Number(e[name] ?? (cluster ? clustered : single));
  return {
    host: '127.0.0.1',
    brokers,
    cluster,
    kafkaPort: port('STACK_KAFKA_PORT', 19092, 29092),
    kafkaControllerPort: port('STACK_KAFKA_CONTROLLER_PORT', 19093, 29093),
    kafkaVersion: e.STACK_KAFKA_VERSION ?? '3.9.2',
    redisPort: port('STACK_REDIS_PORT', 16379, 26379),
    // The default stack's Redis keeps nothing on disk (fast, throwaway); the cluster's keeps an
    // append-only file (fsync every second) in its folder, so a restarted Redis has its data.
    redisAof: cluster || e.STACK_REDIS_AOF === '1',
    stripeMockPort: port('STACK_STRIPE_MOCK_PORT', 12111, 22111),
    stripeMockVersion: e.STACK_STRIPE_MOCK_VERSION ?? 'v0.203.0',
    prismPort: port('STACK_PRISM_PORT', 14010, 24010),
    stateDir: resolve(e.STACK_DIR ?? join(repo, cluster ? '.stack-cluster' : '.stack')),
    cacheDir: resolve(e.STACK_CACHE_DIR ?? join(homedir(), '.cache', 'nudges-stack')),
  };
}

export let STACK_DEFAULTS = configure();
let cfg = STACK_DEFAULTS;
let logsDir = join(cfg.stateDir, 'logs');
let pidsDir = join(cfg.stateDir, 'pids');

/** Re-reads the settings from env (the CLI's `--brokers N` sets STACK_KAFKA_BROKERS first). */
function reconfigure() {
  STACK_DEFAULTS = cfg = configure();
  logsDir = join(cfg.stateDir, 'logs');
  pidsDir = join(cfg.stateDir, 'pids');
}

/** Kafka nodes: index 0..brokers-1, node.id index+1; in cluster mode each has its own ports, 10 apart. */
export function kafkaNodes() {
  return Array.from({ length: cfg.brokers }, (_, index) => ({
    index,
    id: index + 1,
    name: cfg.cluster ? `kafka-${index + 1}` : 'kafka',
    port: cfg.kafkaPort + 10 * index,
    controllerPort: cfg.kafkaControllerPort + 10 * index,
  }));
}

/** Env variables the apps and tests use to reach the stack. */
export function stackEnv() {
  return {
    Kafka__BrokerList: kafkaNodes()
      .map((n) => `${cfg.host}:${n.port}`)
      .join(','),
    REDIS_URL: `redis://${cfg.host}:${cfg.redisPort}`,
    STRIPE_API_URL: `http://${cfg.host}:${cfg.stripeMockPort}`,
    TWILIO_API_URL: `http://${cfg.host}:${cfg.prismPort}`,
    // The apps create missing topics with this replication factor (their default is 1).
    ...(cfg.cluster ? { KAFKA_TOPIC_REPLICATION: String(Math.min(3, cfg.brokers)) } : {}),
  };
}

const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);

class StackError extends Error {}

// ---------------------------------------------------------------- helpers

function portOpen(port, host = cfg.host) {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      done(false);
    });
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
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procState(pid) !== 'Z'; // killed but not yet reaped by its parent
}

const pidFile = (name) => join(pidsDir, `${name}.pid`);

function readPid(name) {
  try {
    return Number(readFileSync(pidFile(name), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    throw new StackError(
      `${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${(r.stderr || r.stdout || r.error?.message || '').slice(-2000)}`,
    );
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
      throw new StackError(
        `${name}: port ${port} is already taken by another process (not started by this stack). Free it or set another port (see scripts/stack.mjs).`,
      );
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
      const persistence = cfg.redisAof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
      const pid = startDetached('redis', bin, [
        '--port',
        String(cfg.redisPort),
        '--bind',
        cfg.host,
        '--save',
        '',
        ...persistence,
        '--dir',
        dir,
        '--protected-mode',
        'yes',
        '--maxmemory-policy',
        'noeviction',
      ]);
      await waitFor('redis', () => portOpen(cfg.redisPort), { pid, timeoutMs: 15_000 });
    },
  },

  kafka: {
    ports: () => kafkaNodes().flatMap((n) => [n.port, n.controllerPort]),
    // Cluster mode: every node not yet running is started at once (a node only finishes starting
    // once a majority of the quorum is up).
    async start(nodes = kafkaNodes()) {
      const jars = ensureKafkaJars();
      const clusterId = kafkaClusterIdOnDisk() ?? kafkaClusterId();
      const booting = nodes.map((node) => {
        const dir = kafkaNodeDir(node);
        const dataDir = join(dir, 'data');
        mkdirSync(dataDir, { recursive: true });
        const props = join(dir, 'server.properties');
        writeFileSync(props, kafkaProperties(dataDir, node));
        const javaOpts = kafkaJavaOpts(dir);
        if (!existsSync(join(dataDir, 'meta.properties'))) {
          run('java', ['-cp', `${jars}/*`, ...javaOpts, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props]);
        }
        const from = logSize(node.name);
        const pid = startDetached(node.name, 'java', ['-cp', `${jars}/*`, ...javaOpts, 'kafka.Kafka', props]);
        return { node, from, pid };
      });
      await Promise.all(
        booting.map(({ node, from, pid }) =>
          waitFor(node.name, async () => kafkaStartedSince(node.name, from) && (await portOpen(node.port)), { pid, timeoutMs: 120_000 }),
        ),
      );
    },
  },

  'stripe-mock': {
    ports: () => [cfg.stripeMockPort, cfg.stripeMockPort + 1],
    async start() {
      const bin = ensureStripeMock();
      // stripe-mock serves HTTPS too (default :12112); keep it next to the HTTP port so stacks on other ports don't collide.
      const pid = startDetached('stripe-mock', bin, [
        '-http-addr',
        `${cfg.host}:${cfg.stripeMockPort}`,
        '-https-addr',
        `${cfg.host}:${cfg.stripeMockPort + 1}`,
      ]);
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
  run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(repo, 'scripts', 'stack', major >= 4 ? 'kafka4-pom.xml' : 'kafka-pom.xml'),
      `-Dkafka.version=${cfg.kafkaVersion}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${dir}`,
      '-DincludeScope=runtime',
    ],
    { timeout: 600_000 },
  );
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
    timeout: 600_000,
    env: { ...env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
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
function kafkaStartedSince(name, from) {
  try {
    const text = readFileSync(join(logsDir, `${name}.log`))
      .subarray(from)
      .toString('utf8');
    return /Transition from STARTING to STARTED|Kafka Server started/.test(text);
  } catch {
    return false;
  }
}

function logSize(name) {
  try {
    return statSync(join(logsDir, `${name}.log`)).size;
  } catch {
    return 0;
  }
}

/** The single broker keeps its historical folder; cluster nodes get one each. */
function kafkaNodeDir(node) {
  const base = join(cfg.stateDir, `kafka-${cfg.kafkaVersion}`);
  return cfg.cluster ? join(base, `node-${node.id}`) : base;
}

/** The cluster id a node was already formatted with (all nodes of a cluster must share it). */
function kafkaClusterIdOnDisk() {
  for (const node of kafkaNodes()) {
    try {
      const match = readFileSync(join(kafkaNodeDir(node), 'data', 'meta.properties'), 'utf8').match(/^cluster\.id=(.+)$/m);
      if (match) return match[1].trim();
    } catch {
      /* not formatted yet */
    }
  }
  return undefined;
}

function kafkaJavaOpts(dir) {
  // Three JVMs share two cores in cluster mode: smaller heaps.
  const heap = cfg.cluster ? ['-Xms128m', '-Xmx512m'] : ['-Xms256m', '-Xmx768m'];
  return [...heap, '-XX:+UseG1GC', '-Djava.awt.headless=true', kafkaLoggingOption(dir)];
}

function kafkaProperties(dataDir, node) {
  const { host, cluster } = cfg;
  const nodes = kafkaNodes();
  const replication = cluster ? Math.min(3, cfg.brokers) : 1;
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${nodes.map((n) => `${n.id}@${host}:${n.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${node.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    `offsets.topic.replication.factor=${replication}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${cluster ? 2 : 1}`,
    'transaction.state.log.num.partitions=6',
    ...(cluster
      ? [
          // Every write acknowledged by acks=all is on at least two nodes; a replica that was not
          // in sync never becomes leader (no silent loss of acknowledged writes).
          `default.replication.factor=${replication}`,
          'min.insync.replicas=2',
          'unclean.leader.election.enable=false',
        ]
      : []),
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

/** `kafka` means every Kafka node; `kafka-N` (cluster mode) one node. Other names are components. */
function expand(names) {
  const out = [];
  for (const name of names) {
    const node = kafkaNodes().find((n) => n.name === name);
    if (name === 'kafka') out.push(...kafkaNodes().map((n) => ({ name: n.name, node: n })));
    else if (node) out.push({ name, node });
    else if (components[name]) out.push({ name });
    else
      throw new StackError(
        `unknown component ${name}; known: ${[...COMPONENTS, ...(cfg.cluster ? kafkaNodes().map((n) => n.name) : [])].join(', ')}`,
      );
  }
  return out;
}

/** Starts what is not running; returns the names it started (Kafka nodes by node name). */
export async function up(names = COMPONENTS) {
  const started = [];
  const items = expand(names);
  const nodes = items.filter((i) => i.node);
  const t0 = Date.now();
  const freeNodes = [];
  for (const { name, node } of nodes) {
    if ((await claim(name, [node.port, node.controllerPort])) === 'running') log(`${name}: already running (reused)`);
    else freeNodes.push(node);
  }
  // Kafka first (as before), all free nodes at once.
  for (const item of items) {
    if (item.node) {
      if (freeNodes.length === 0) continue;
      await components.kafka.start(freeNodes);
      for (const n of freeNodes) {
        started.push(n.name);
        log(`${n.name}: ready on ${cfg.host}:${n.port} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      }
      freeNodes.length = 0;
      continue;
    }
    const { name } = item;
    const c = components[name];
    if ((await claim(name, c.ports())) === 'running') {
      log(`${name}: already running (reused)`);
      continue;
    }
    const t1 = Date.now();
    await c.start();
    started.push(name);
    log(`${name}: ready on ${cfg.host}:${c.ports()[0]} in ${((Date.now() - t1) / 1000).toFixed(1)}s`);
  }
  return started;
}

/** Stops exactly what the PID files name; Kafka nodes all at once (a quorum going down one by one stalls). */
export async function down(names = COMPONENTS) {
  const items = expand(names).reverse();
  const stopOne = async (name) => {
    const pid = readPid(name);
    if (!pid) return;
    if (alive(pid)) {
      signalPid(pid, 'SIGCONT'); // a frozen process would not act on SIGTERM
      signalPid(pid, 'SIGTERM');
      const deadline = Date.now() + 20_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) signalPid(pid, 'SIGKILL');
      log(`${name}: stopped (pid ${pid})`);
    }
    rmSync(pidFile(name), { force: true });
  };
  await Promise.all(items.filter((i) => i.node).map((i) => stopOne(i.name)));
  for (const item of items.filter((i) => !i.node)) await stopOne(item.name);
}

function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** The process state letter from /proc (R, S, T = stopped/frozen, Z = zombie), if readable. */
function procState(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return undefined;
  }
}

export async function status() {
  const lines = [];
  for (const { name, node } of expand(COMPONENTS)) {
    const pid = readPid(name);
    const port = node ? node.port : components[name].ports()[0];
    const running = pid && alive(pid) && (await portOpen(port));
    const frozen = pid && procState(pid) === 'T';
    lines.push(
      `${name.padEnd(12)} ${frozen ? `FROZEN   pid ${pid}  ${cfg.host}:${port}` : running ? `running  pid ${pid}  ${cfg.host}:${port}` : 'stopped'}`,
    );
  }
  return lines;
}

/** Stops one component's process without forgetting it, to simulate an outage (tests). */
export async function stopComponent(name) {
  await down([name]);
}

/** Wipes Kafka's data (topics and offsets); the broker must be down. */
export function resetKafkaData() {
  rmSync(join(cfg.stateDir, `kafka-${cfg.kafkaVersion}`), { recursive: true, force: true });
}

// ---------------------------------------------------------------- single-node faults (tests)

function nodeAt(index) {
  const node = kafkaNodes()[index];
  if (!node) throw new StackError(`no Kafka node ${index} (0..${cfg.brokers - 1})`);
  return node;
}

/** The PID of a component or Kafka node (`kafka-2`), or undefined when it is not running. */
export function pidOf(name) {
  const pid = readPid(name);
  return pid && alive(pid) ? pid : undefined;
}

/**
 * Sends `signal` to one process of the stack and, for SIGKILL/SIGTERM, waits until it is gone.
 * The PID file is kept: `up` notices the dead PID and starts the component again.
 */
export async function signalComponent(name, signal = 'SIGKILL') {
  const pid = pidOf(name);
  if (!pid) throw new StackError(`${name} is not running`);
  if (signal === 'SIGTERM' || signal === 'SIGKILL') signalPid(pid, 'SIGCONT');
  signalPid(pid, signal);
  if (signal === 'SIGKILL' || signal === 'SIGTERM') {
    const deadline = Date.now() + 30_000;
    while (alive(pid)) {
      if (Date.now() > deadline) throw new StackError(`${name} (pid ${pid}) still alive 30 s after ${signal}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return pid;
}

/** Kills Kafka node `index` (0-based; node.id index+1) with `signal` (SIGKILL: no clean shutdown). */
export const stopKafkaNode = (index, signal = 'SIGKILL') => signalComponent(nodeAt(index).name, signal);
/** Starts Kafka node `index` again (its data is kept); resolves once it has rejoined and serves. */
export const startKafkaNode = (index) => up([nodeAt(index).name]);
/** SIGSTOP: the node keeps its sockets open but answers nothing (a hung JVM, a long GC pause). */
export const freezeKafkaNode = (index) => signalComponent(nodeAt(index).name, 'SIGSTOP');
export const thawKafkaNode = (index) => signalComponent(nodeAt(index).name, 'SIGCONT');

/**
 * Kafka's own account of a partition's log on node `index` (DumpLogSegments): one line per record
 * batch (offsets, producer id and epoch, transactional, control) and one per transaction marker
 * (COMMIT/ABORT). Record payloads are left out: they hold phone numbers. For diagnosing records
 * a test found twice: were both copies committed, by which producer, in one transaction or two.
 */
export function kafkaLogDump(topic, partition, index = 0) {
  const dir = join(kafkaNodeDir(nodeAt(index)), 'data', `${topic}-${partition}`);
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => join(dir, f));
  const out = run(
    'java',
    ['-cp', `${ensureKafkaJars()}/*`, '-Xmx256m', 'kafka.tools.DumpLogSegments', '--print-data-log', '--files', segments.join(',')],
    {
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  return out.split('\n').filter((line) => line.startsWith('baseOffset:') || line.includes('endTxnMarker:'));
}

/**
 * The KRaft quorum as the controllers see it (Admin.describeMetadataQuorum, through the brokers):
 * the active controller's node id and epoch. A small Java program, run as a single source file
 * against the cached Kafka jars (kafkajs has no DescribeQuorum): ~2 s per call.
 */
export async function kafkaQuorum(timeoutMs = 30_000) {
  const jars = ensureKafkaJars();
  const dir = join(cfg.stateDir, 'quorum-tool');
  mkdirSync(dir, { recursive: true });
  // Asynchronous: a test calls this while its own HTTP sinks must keep answering.
  const out = await new Promise((done, fail) => {
    const child = spawn(
      'java',
      [
        '-cp',
        `${jars}/*`,
        '-Xmx128m',
        '-XX:TieredStopAtLevel=1',
        kafkaLoggingOption(dir),
        join(repo, 'scripts', 'stack', 'QuorumLeader.java'),
        stackEnv().Kafka__BrokerList,
        String(timeoutMs),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs + 20_000 },
    );
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.once('error', fail);
    child.once('close', (code) =>
      code === 0 ? done(text) : fail(new StackError(`quorum description failed (exit ${code}):\n${text.slice(-2000)}`)),
    );
  });
  const line = out.split('\n').find((l) => l.startsWith('{"leaderId"'));
  if (!line) throw new StackError(`no quorum description in:\n${out.slice(-2000)}`);
  const quorum = JSON.parse(line);
  return { ...quorum, leaderIndex: kafkaNodes().findIndex((n) => n.id === quorum.leaderId) };
}

async function main() {
  const args = process.argv.slice(2);
  const brokersAt = args.indexOf('--brokers');
  if (brokersAt >= 0) {
    process.env.STACK_KAFKA_BROKERS = args.splice(brokersAt, 2)[1];
    reconfigure();
  }
  const [command = 'status', ...rest] = args;
  const names = rest.length ? rest : COMPONENTS;
  try {
    if (command === 'up') await up(names);
    else if (command === 'down') await down(names);
    else if (command === 'status') console.log((await status()).join('\n'));
    else if (command === 'env') for (const [k, v] of Object.entries(stackEnv())) console.log(`${k}=${v}`);
    else if (command === 'logs')
      console.log(
        readdirSync(logsDir)
          .map((f) => join(logsDir, f))
          .join('\n'),
      );
    else if (command === 'controller') console.log(JSON.stringify(await kafkaQuorum()));
    else if (['kill', 'freeze', 'thaw'].includes(command) && rest.length === 1) {
      const signal = { kill: 'SIGKILL', freeze: 'SIGSTOP', thaw: 'SIGCONT' }[command];
      log(`${rest[0]}: ${signal} sent to pid ${await signalComponent(rest[0], signal)}`);
    } else
      throw new StackError(
        `usage: stack.mjs [--brokers 1|3] up|down|status|env|logs|controller [${COMPONENTS.join('|')}...] | kill|freeze|thaw <component or kafka-N>`,
      );
  } catch (err) {
    log(err instanceof StackError ? err.message : String(err?.stack ?? err));
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
