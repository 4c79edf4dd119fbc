// Helpers shared by the README's two commands (npm test, npm run demo): both must work on a fresh
// clone with nothing installed, so this file uses Node's built-ins only.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function step(title) {
  process.stderr.write(`\n▶ ${title}\n`);
}

/** Runs a command with inherited stdio; resolves with its exit code. */
export function sh(cmd, args, opts = {}) {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: repo, stdio: 'inherit', ...opts });
    child.once('error', fail);
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

export async function mustRun(cmd, args, opts) {
  const code = await sh(cmd, args, opts);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}`);
}

/**
 * Installs npm packages when node_modules is missing or older than package-lock.json.
 * `npm install` rather than `npm ci`: the registry our machines reach serves only this platform's
 * optional binaries (@swc/core-*, …), so npm 11 writes a lock that `npm ci` then rejects as out of
 * sync; `npm install` honours the same lock without rewriting it.
 */
export async function ensureNodeModules() {
  const marker = join(repo, 'node_modules', '.package-lock.json');
  const lock = join(repo, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('installing npm packages (npm install, from package-lock.json)');
  await mustRun('npm', ['install', '--no-audit', '--no-fund']);
}

/** Builds both apps (and the peers) unless the build is newer than every source file. */
export async function build() {
  step('building (nest build webhooks, notifier; peers)');
  await mustRun('npm', ['run', '-s', 'build']);
}
