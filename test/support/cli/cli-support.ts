// Helpers of the CLI's end-to-end tests: raw Kafka reads (bytes and headers, not just text), topic
// creation, and running the built CLI as a process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { toInboundMessage, type InboundMessage } from '../../../apps/notifier/src/transport/inbound-message.js';
import { stackEnv, uniqueName } from '../stack.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
export const CLI_ENTRY = join(repo, 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js');

export const kafka = () =>
  new Kafka({ clientId: uniqueName('cli-test'), brokers: stackEnv().Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING });

export async function createTopics(topics: Record<string, number>): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** How many records `topic` holds (acks=all publishes are counted as soon as they were acknowledged). */
export async function topicSize(topic: string): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** A record with its exact bytes, as the notifier receives it. */
export type RawMessage = Omit<InboundMessage, 'correlationId'>;

/** Collects every message of the topics from the beginning, with their exact bytes. */
export class RawReader {
  readonly seen: RawMessage[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: string[]): Promise<RawReader> {
    const consumer = kafka().consumer({ groupId: uniqueName('cli-test-reader'), maxWaitTimeInMs: 50 });
    const reader = new RawReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        reader.seen.push(toInboundMessage(topic, partition, message));
      },
    });
    return reader;
  }

  read(topic: string, predicate: (m: RawMessage) => boolean = () => true): RawMessage[] {
    return this.seen.filter((m) => m.topic === topic && predicate(m));
  }

  /** Waits (polling, with a deadline) until `count` matching messages of `topic` were read. */
  async waitFor(topic: string, predicate: (m: RawMessage) => boolean, count = 1, timeoutMs = 15_000): Promise<RawMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.read(topic, predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`expected ${count} matching message(s) on ${topic}, read ${found.length}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

export const text = (b: Buffer | string | (Buffer | string)[] | null | undefined): string | undefined =>
  b === null || b === undefined ? undefined : Array.isArray(b) ? text(b.at(-1)) : b.toString();

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the CLI (`nest build cli`) when dist/ lacks it or is older than its sources. Test files run
 * in parallel workers: a lock directory makes one of them build while the others wait for it.
 */
export async function ensureCliBuilt(): Promise<void> {
  const fresh = () => existsSync(CLI_ENTRY) && statSync(CLI_ENTRY).mtimeMs >= newestSource(join(repo, 'apps', 'cli', 'src'));
  if (fresh()) return;
  const lock = join(repo, 'dist', '.cli-build.lock');
  mkdirSync(join(repo, 'dist'), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (fresh()) return;
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (fresh()) return;
    spawnSync(process.execPath, [join(repo, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', 'cli'], {
      cwd: repo,
      stdio: 'ignore',
    });
    if (!existsSync(CLI_ENTRY)) throw new Error('nest build cli did not produce the CLI');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as `npm run` does, with `env` over a minimal environment. */
export function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: repo,
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
