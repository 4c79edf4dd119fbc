// Stops what the cluster global setup started (a cluster that was already running is left alone).
export default async function globalTeardown() {
  const started = (process.env.NUDGES_CLUSTER_STARTED_BY_JEST ?? '').split(',').filter(Boolean);
  if (started.length === 0 || process.env.STACK_KEEP === '1') return;
  const { down } = await import('../../../scripts/stack.mjs');
  await down(started);
}
