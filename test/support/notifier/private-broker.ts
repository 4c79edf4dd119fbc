import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A Kafka broker of this test's own (scripts/stack.mjs with its own ports and state folder), so
 * that restarting it does not disturb test files running against the shared broker.
 */
export interface PrivateBroker {
  readonly brokers: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and deletes its data. */
  destroy(): Promise<void>;
}

export async function startPrivateBroker(): Promise<PrivateBroker> {
  const [kafkaPort, controllerPort] = [await freePort(), await freePort()];
  const stateDir = mkdtempSync(join(tmpdir(), 'notifier-broker-'));
  const env = {
    ...process.env,
    STACK_KAFKA_PORT: String(kafkaPort),
    STACK_KAFKA_CONTROLLER_PORT: String(controllerPort),
    STACK_DIR: stateDir,
  };
  const stack = (command: 'up' | 'down') =>
    new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, [join(repo, 'scripts/stack.mjs'), command, 'kafka'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`stack ${command} kafka failed (${code}):\n${output}`))));
    });
  await stack('up');
  return {
    brokers: `127.0.0.1:${kafkaPort}`,
    stop: () => stack('down'),
    start: () => stack('up'),
    destroy: async () => {
      await stack('down').catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}
