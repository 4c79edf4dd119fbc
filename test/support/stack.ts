// Typed access to the local stack from tests.
// @ts-expect-error -- plain ESM script without type declarations
import * as stack from '../../scripts/stack.mjs';

export interface StackEnv {
  Kafka__BrokerList: string;
  REDIS_URL: string;
  STRIPE_API_URL: string;
  TWILIO_API_URL: string;
}

/** Addresses of the running stack (as set by the e2e global setup). */
export function stackEnv(): StackEnv {
  return stack.stackEnv() as StackEnv;
}

/** Stops one component (outage simulation); `startComponent` brings it back on the same port. */
export async function stopComponent(name: 'kafka' | 'redis' | 'stripe-mock' | 'prism'): Promise<void> {
  await stack.down([name]);
}

export async function startComponent(name: 'kafka' | 'redis' | 'stripe-mock' | 'prism'): Promise<void> {
  await stack.up([name]);
}

/** A name unique to this test run, for topics, consumer groups and Redis key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// ---- cluster mode (STACK_KAFKA_BROKERS=3, `npm run test:cluster`): single-node faults

/** One Kafka node of the stack: index 0..n-1, KRaft node.id index+1, its broker and controller ports. */
export interface KafkaNode {
  index: number;
  id: number;
  name: string;
  port: number;
  controllerPort: number;
}

/** True when the stack is the 3-node cluster (STACK_KAFKA_BROKERS > 1). */
export function clusterMode(): boolean {
  return (stack.STACK_DEFAULTS as { cluster: boolean }).cluster;
}

export function kafkaNodes(): KafkaNode[] {
  return stack.kafkaNodes() as KafkaNode[];
}

/** Sends `signal` to Kafka node `index` (SIGKILL by default: no controlled shutdown); resolves once it is gone. Returns its PID. */
export async function killKafkaNode(index: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<number> {
  return (await stack.stopKafkaNode(index, signal)) as number;
}

/** DumpLogSegments' batch and transaction-marker lines of `topic`-`partition` on node `index` (no payloads). */
export function kafkaLogDump(topic: string, partition: number, index = 0): string[] {
  return stack.kafkaLogDump(topic, partition, index) as string[];
}

/** Starts Kafka node `index` again with its data; resolves once it serves again. */
export async function startKafkaNode(index: number): Promise<void> {
  await stack.startKafkaNode(index);
}

/** SIGSTOP / SIGCONT of Kafka node `index`: frozen, it holds its sockets open and answers nothing. */
export async function freezeKafkaNode(index: number): Promise<number> {
  return (await stack.freezeKafkaNode(index)) as number;
}

export async function thawKafkaNode(index: number): Promise<number> {
  return (await stack.thawKafkaNode(index)) as number;
}

/** Sends `signal` to a stack process by name (`redis`, `kafka-2`, …); SIGKILL waits until it is gone. The PID file is kept, so `startComponent` restarts it. */
export async function signalComponent(name: string, signal: NodeJS.Signals): Promise<number> {
  return (await stack.signalComponent(name, signal)) as number;
}

export interface KafkaQuorum {
  /** node.id of the active controller, and its index in `kafkaNodes()`. */
  leaderId: number;
  leaderIndex: number;
  leaderEpoch: number;
  highWatermark: number;
}

/** The KRaft quorum (Admin.describeMetadataQuorum through a small Java program, ~2–4 s). */
export async function kafkaQuorum(timeoutMs = 30_000): Promise<KafkaQuorum> {
  return (await stack.kafkaQuorum(timeoutMs)) as KafkaQuorum;
}
