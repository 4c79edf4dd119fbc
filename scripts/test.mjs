#!/usr/bin/env node
// `npm test`: everything the tests need on a fresh machine, then the whole suite.
//   1. npm packages (npm ci), 2. the local stack (Kafka, Redis, stripe-mock, Prism; installed on
//   first use), 3. type check, lint, format check and build, 4. jest (unit + e2e), 5. stop what
//   step 2 started.
// Extra arguments go to jest, e.g. `npm test -- test/e2e/notifier`.
// `--suite faults|cluster|fuzz|soak` (npm run test:faults / test:cluster / test:fuzz / test:soak) run
// those whole-system suites instead of unit + e2e, one file at a time: they load the machine on their
// own. `cluster` brings up the 3-node Kafka cluster with durable Redis instead of the default stack.
import { ensureDebianCommand, ensureNodeModules, build, mustRun, sh, step } from './lib/setup.mjs';

const args = process.argv.slice(2);
const suiteAt = args.indexOf('--suite');
const suite = suiteAt >= 0 ? args.splice(suiteAt, 2)[1] : 'default';
const projects = { default: ['unit', 'e2e'], faults: ['faults'], cluster: ['cluster'], fuzz: ['fuzz'], soak: ['soak'] }[suite];
if (!projects) {
  process.stderr.write(`unknown suite "${suite}" (default, faults, cluster, fuzz or soak)\n`);
  process.exit(2);
}
// The stack module reads its mode from env when it loads.
if (suite === 'cluster') process.env.STACK_KAFKA_BROKERS ??= '3';
const { up, down, stackEnv } = await import('./stack.mjs');
const jestArgs = ['--selectProjects', ...projects, ...(suite === 'default' ? ['--maxWorkers=2'] : ['--runInBand']), ...args];
let started = [];
let exitCode;
const runStartedAt = Date.now();
try {
  await ensureNodeModules();
  if (suite === 'default') ensureDebianCommand('promtool', 'prometheus');
  step(suite === 'cluster' ? 'starting the cluster stack (3 Kafka nodes, Redis with AOF)' : 'starting the local stack');
  started = await up();
  step('type check (tsc --noEmit)');
  await mustRun('npm', ['run', '-s', 'typecheck']);
  if (suite === 'default') {
    step('lint (eslint) and format check (prettier)');
    await mustRun('npm', ['run', '-s', 'lint']);
    await mustRun('npm', ['run', '-s', 'format:check']);
  }
  await build();
  step(suite === 'default' ? 'jest: unit and end-to-end tests' : `jest: the ${suite} suite`);
  exitCode = await sh(
    process.execPath,
    ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', ...(process.env.CI ? ['--ci'] : []), ...jestArgs],
    { env: { ...process.env, ...stackEnv(), NODE_NO_WARNINGS: '1' } },
  );
  if (suite !== 'default') {
    // The whole-system suites copy every app's output to the results folder: no secret or full phone number may be in it.
    step('secrets and PII audit of the app logs');
    const auditCode = await sh(process.execPath, ['scripts/audit-logs.mjs', '--since', String(runStartedAt)]);
    if (auditCode !== 0) exitCode = exitCode || auditCode;
  }
} catch (err) {
  process.stderr.write(`\n✖ ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
} finally {
  if (started.length > 0 && process.env.STACK_KEEP !== '1') {
    step('stopping the local stack');
    await down(started).catch((err) => process.stderr.write(`stack down failed: ${err}\n`));
  }
}
process.exit(exitCode);
