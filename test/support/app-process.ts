import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appLogFile } from './figures.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type AppName = 'webhooks' | 'notifier' | 'broadcaster';

const entries = (app: AppName) => [join(repo, `dist/apps/${app}/main.js`), join(repo, `dist/apps/${app}/apps/${app}/src/main.js`)];
const sources = (app: AppName) => [join(repo, `apps/${app}/src`), join(repo, 'libs/shared/src')];
const lockFor = (app: AppName) => join(repo, 'dist', `.${app}-build.lock`);

/** The built app's entry; builds it (`nest build <app>`) when missing or older than its sources. */
export async function builtAppEntry(app: AppName): Promise<string> {
  const nested = entries(app)[1]!;
  const fresh = () => existsSync(nested) && statSync(nested).mtimeMs >= newestSource(app);
  if (fresh()) return entries(app).find((e) => existsSync(e))!;
  await withLock(lockFor(app), () => {
    if (fresh()) return;
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(repo, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', app], {
      cwd: repo,
      encoding: 'utf8',
    });
    if (r.status === 0) return;
    // tsc still emits on type errors; `npm test` type-checks the whole tree before the tests, so
    // here (a developer's run, possibly while someone else's file is mid-edit) a fresh emit will do.
    if (existsSync(nested) && statSync(nested).mtimeMs >= started) {
      process.stderr.write(`warning: nest build ${app} reported errors; testing the emitted build\n${r.stdout.slice(0, 2000)}\n`);
      return;
    }
    throw new Error(`nest build ${app} failed:\n${r.stdout}\n${r.stderr}`);
  });
  return entries(app).find((e) => existsSync(e))!;
}

function newestSource(app: AppName): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  sources(app).forEach(walk);
  return newest;
}

/** Cross-process lock (test files run in parallel workers): mkdir is atomic. */
async function withLock(lock: string, work: () => void): Promise<void> {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 3 minutes is left over from a crashed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`timed out waiting for another ${lock} build`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    work();
  } finally {
    rmdirSync(lock);
  }
}

export interface AppProcess {
  readonly app: AppName;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  /** Node flags before the entry (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** A given entry instead of the (re)built one. */
  entry?: string;
}

/**
 * Starts a built app (`node dist/…/main.js`) with exactly `env` (plus PATH/HOME). Its output is kept
 * in memory and copied to a file under the results folder, where the secrets audit reads it. The
 * tests and the benches (bench/*.bench.mjs, through scripts/lib/register-ts.mjs) both start apps here.
 */
export async function spawnApp(app: AppName, env: Record<string, string>, label = 'test', options: SpawnOptions = {}): Promise<AppProcess> {
  const entry = options.entry ?? (await builtAppEntry(app));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const log = createWriteStream(appLogFile(app, label));
  const append = (chunk: Buffer) => {
    log.write(chunk);
    text += chunk.toString('utf8');
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let ended = false;
  void exited.then(() => {
    ended = true;
    log.end();
    listeners.forEach((l) => l());
  });

  return {
    app,
    child,
    pid: child.pid!,
    output: () => text,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (!ended) child.kill(signal);
    },
    waitForOutput: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (ended) {
            done();
            reject(new Error(`${app} exited before printing ${pattern}:\n${text.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${app} did not print ${pattern} within ${timeoutMs} ms:\n${text.slice(-3000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}

export const spawnNotifier = (env: Record<string, string>, label?: string): Promise<AppProcess> => spawnApp('notifier', env, label);

export const spawnBroadcaster = (env: Record<string, string>, label?: string): Promise<AppProcess> => spawnApp('broadcaster', env, label);

/** Waits for the health port the notifier or the broadcaster logged at start-up. */
export async function healthPortOf(worker: AppProcess, timeoutMs = 30_000): Promise<number> {
  const match = await worker.waitForOutput(
    /"msg":"(?:notifier|broadcaster) started".*?"healthPort":(\d+)|(?:notifier|broadcaster) started.*?healthPort[":\s]+(\d+)/,
    timeoutMs,
  );
  return Number(match[1] ?? match[2]);
}

/** Waits for the ports the webhooks app logged at start-up (`webhooks listening`, needs LOG_LEVEL info or lower). */
export async function webhooksPortsOf(webhooks: AppProcess, timeoutMs = 60_000): Promise<{ port: number; internalPort: number }> {
  const [line] = await webhooks.waitForOutput(/^.*webhooks listening.*$/m, timeoutMs);
  const field = (name: string) => Number(new RegExp(`"?${name}"?[":\\s]+(\\d+)`).exec(line)?.[1]);
  return { port: field('port'), internalPort: field('internalPort') };
}
