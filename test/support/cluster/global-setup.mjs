// The cluster project's global setup: the 3-node Kafka cluster with durable Redis (stack.mjs in
// cluster mode, its own ports and folder), whatever runs it (`npm run test:cluster` or jest
// directly). The env switch is set before the stack module reads it; the test files inherit it.
export default async function globalSetup() {
  process.env.STACK_KAFKA_BROKERS = process.env.STACK_KAFKA_BROKERS ?? '3';
  const { up, stackEnv, STACK_DEFAULTS } = await import('../../../scripts/stack.mjs');
  if (!STACK_DEFAULTS.cluster) throw new Error(`the cluster suite needs STACK_KAFKA_BROKERS >= 3 (got ${process.env.STACK_KAFKA_BROKERS})`);
  const started = await up();
  process.env.NUDGES_CLUSTER_STARTED_BY_JEST = started.join(',');
  Object.assign(process.env, stackEnv());
}
