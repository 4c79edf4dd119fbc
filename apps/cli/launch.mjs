#!/usr/bin/env node
// `npm run dlq | simulate | stripe:reconcile -- ...`: runs the built CLI, building it first
// (`nest build cli`) when dist/ does not have it yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = join(repo, 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js');

if (!existsSync(entry)) {
  process.stderr.write('building the CLI (nest build cli)...\n');
  const build = spawnSync(process.execPath, [join(repo, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', 'cli'], {
    cwd: repo,
    stdio: ['ignore', 2, 2],
  });
  if (!existsSync(entry)) {
    process.stderr.write('cli: the build failed\n');
    process.exit(1);
  }
  // tsc still emits when it reports type errors elsewhere in the tree; run what was built.
  if (build.status !== 0) process.stderr.write('cli: the build reported errors (see above); running it anyway\n');
}

// The CLI parses process.argv: make it look as if main.js had been run directly.
process.argv = [process.argv[0], entry, ...process.argv.slice(2)];
await import(pathToFileURL(entry).href);
