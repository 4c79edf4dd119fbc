// Helpers shared by the README's two commands (npm test, npm run demo): both must work on a fresh
// clone with nothing installed, so this file uses Node's built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
 * Packages that declare a newer Node than the machines run (Node 20) and are known to work on it:
 * the whole test suite runs them there. Their EBADENGINE warnings are hidden from the install
 * output; any other warning is shown. See docs/local-stack.md.
 */
const KNOWN_ENGINE_MISMATCHES = [
  '@angular-devkit/', // @nestjs/cli's schematics (nest new / nest g), not used at run time
  '@nestjs/schematics@',
  'commander@', // nest-commander's CLI parser
  'file-type@', // @nestjs/common's file validators, not used here
  'nestjs-pino@', // 5.x: the line that supports Nest 12; declares Node 22, runs on 20
  '@whatwg-node/', // graphql-yoga (the test gateway)
];

/** Peer ranges that lag behind Nest 12 in packages known to work with it (the CLI's tests run them). */
const KNOWN_PEER_OVERRIDES = ['@golevelup/nestjs-discovery@']; // nest-commander's, declares Nest 11

/**
 * Installs exactly the lock file (`npm ci`) when node_modules is missing or older than it or than a
 * dependency patch (patches/, applied by the postinstall script). The lock lists every platform's
 * optional binaries, so `npm ci` accepts it on any machine.
 */
export async function ensureNodeModules() {
  const marker = join(repo, 'node_modules', '.package-lock.json');
  const inputs = [join(repo, 'package-lock.json'), ...dependencyPatches()];
  if (existsSync(marker) && inputs.every((file) => statSync(marker).mtimeMs >= statSync(file).mtimeMs)) return;
  step('installing npm packages (npm ci, from package-lock.json)');
  const { code, output } = await capture('npm', ['ci', '--no-audit', '--no-fund']);
  const { shown, hidden } = withoutKnownWarnings(output);
  if (shown.trim()) process.stderr.write(`${shown.trimEnd()}\n`);
  if (hidden > 0)
    process.stderr.write(`(${hidden} known engine and peer warnings hidden: packages known to work here; see docs/local-stack.md)\n`);
  if (code !== 0) throw new Error(`npm ci exited with ${code}`);
}

function dependencyPatches() {
  const dir = join(repo, 'patches');
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
}

/** Drops the EBADENGINE and ERESOLVE-override warning blocks of known-harmless packages; counts them. */
export function withoutKnownWarnings(output) {
  let hidden = 0;
  const drop = (text, block, known) =>
    text.replace(block, (warning) => {
      if (!known.some((name) => warning.includes(name))) return warning;
      hidden += 1;
      return '';
    });
  const engines = /^npm warn EBADENGINE Unsupported engine \{\n(?:npm warn EBADENGINE (?!\}).*\n)*npm warn EBADENGINE \}\n?/gm;
  const peers = /^npm warn ERESOLVE overriding peer dependency\n(?:npm warn(?! ERESOLVE).*\n)*/gm;
  const shown = drop(
    drop(
      output,
      engines,
      KNOWN_ENGINE_MISMATCHES.map((p) => `package: '${p}`),
    ),
    peers,
    KNOWN_PEER_OVERRIDES.map((p) => `While resolving: ${p}`),
  );
  return { shown, hidden };
}

/** Runs a command, collecting stdout and stderr together; resolves with its exit code and output. */
function capture(cmd, args) {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', fail);
    child.once('exit', (code, signal) => done({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/**
 * Installs a Debian package when its command is missing (root only; apt-get update once per run).
 * Used for `prometheus` (promtool tests the alert rules; a real Prometheus scrapes the apps in e2e).
 */
export function ensureDebianCommand(command, pkg) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${command} is missing; install it with \`sudo apt-get install -y ${pkg}\``);
  step(`installing ${pkg} from Debian (apt-get, for ${command})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', pkg],
  ]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} exited with ${r.status}`);
  }
}

/** Builds both apps (and the peers) unless the build is newer than every source file. */
export async function build() {
  step('building (nest build webhooks, notifier; peers)');
  await mustRun('npm', ['run', '-s', 'build']);
}
