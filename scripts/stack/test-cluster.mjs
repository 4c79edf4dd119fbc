#!/usr/bin/env node
// `npm run test:cluster`: the cluster fault scenarios (test/system/faults/cluster) against the 3-node
// Kafka cluster with durable Redis (`stack.mjs --brokers 3`, beside the default stack: own ports
// and folder). 1. the cluster stack, 2. jest --selectProjects cluster, one file at a time, 3. the
// secrets and PII audit of the apps' logs, 4. stop what step 1 started. Extra arguments go to jest.
// The apps are built by the test helpers when their sources are newer than dist/.
process.env.STACK_KAFKA_BROKERS = process.env.STACK_KAFKA_BROKERS ?? '3';
const { ensureNodeModules, sh, step } = await import('../lib/setup.mjs');
const { up, down, stackEnv } = await import('../stack.mjs');

let started = [];
let exitCode;
const runStartedAt = Date.now();
try {
  await ensureNodeModules();
  step(`starting the cluster stack (${process.env.STACK_KAFKA_BROKERS} Kafka nodes, Redis with AOF)`);
  started = await up();
  step('jest: the cluster suite');
  exitCode = await sh(
    process.execPath,
    [
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      ...(process.env.CI ? ['--ci'] : []),
      '--selectProjects',
      'cluster',
      '--runInBand',
      ...process.argv.slice(2),
    ],
    { env: { ...process.env, ...stackEnv(), NODE_NO_WARNINGS: '1' } },
  );
  step('secrets and PII audit of the app logs');
  const auditCode = await sh(process.execPath, ['scripts/audit-logs.mjs', '--since', String(runStartedAt)]);
  if (auditCode !== 0) exitCode = exitCode || auditCode;
} catch (err) {
  process.stderr.write(`\n✖ ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
} finally {
  if (started.length > 0 && process.env.STACK_KEEP !== '1') {
    step('stopping the cluster stack');
    await down(started).catch((err) => process.stderr.write(`stack down failed: ${err}\n`));
  }
  process.stderr.write(`cluster suite: ${((Date.now() - runStartedAt) / 60_000).toFixed(1)} min\n`);
}
process.exit(exitCode);
