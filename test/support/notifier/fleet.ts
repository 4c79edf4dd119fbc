import { stackEnv, uniqueName } from '../stack.js';
import type { TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_MESSAGING_SERVICE_SID, phone } from './events.js';
import { spawnNotifier, type AppProcess } from '../app-process.js';

export interface FleetOptions {
  topic: string;
  sink: TwilioSink;
  brokers?: string;
  /** The consumer group; `null` leaves KAFKA_CONSUMER_GROUP unset (the notifier's default). Default: a fresh one. */
  groupId?: string | null;
  extra?: Record<string, string>;
}

/** Settings shared by every notifier process of one test: same group, topic and ledger prefix. */
export function fleetEnv(options: FleetOptions): Record<string, string> {
  const env = stackEnv();
  return {
    Kafka__BrokerList: options.brokers ?? env.Kafka__BrokerList,
    REDIS_URL: env.REDIS_URL,
    REDIS_KEY_PREFIX: `${uniqueName('fleet')}:`,
    KAFKA_TOPIC_NOTIFICATIONS: options.topic,
    KAFKA_TOPIC_DEADLETTER: `${options.topic}-deadletter`,
    ...(options.groupId === null ? {} : { KAFKA_CONSUMER_GROUP: options.groupId ?? uniqueName('notifier-fleet') }),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_REBALANCE_TIMEOUT_MS: '10000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    NOTIFIER: 'twilio',
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
    TWILIO_API_URL: options.sink.url,
    NOTIFIER_CLAIM_LEASE_MS: '3000',
    NOTIFIER_STATS_INTERVAL_MS: '500',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...options.extra,
  };
}

export const startMember = (env: Record<string, string>): Promise<AppProcess> => spawnNotifier(env);

/** Waits until the member has joined its group with at least one partition. */
export async function joinedWithPartitions(member: AppProcess, timeoutMs = 30_000): Promise<void> {
  await member.waitForOutput(/"msg":"joined consumer group".*"assignment":\{"[^"]+":\[\d/, timeoutMs);
}

/** A counter of the member's last "notifications processed" line (0 if none yet). */
export function statOf(
  member: AppProcess,
  counter: 'delivered' | 'duplicate' | 'dead-lettered' | 'abandoned' | 'foundInProviderLog',
): number {
  const lines = member
    .output()
    .split('\n')
    .filter((l) => l.includes('"msg":"notifications processed"'));
  const last = lines.at(-1);
  if (!last) return 0;
  const value = (JSON.parse(last) as Record<string, unknown>)[counter];
  return typeof value === 'number' ? value : 0;
}

/** Asserts every one of `count` recipients (phone(0..count-1)) got exactly one SMS; returns problems. */
export function exactlyOnceProblems(sink: TwilioSink, count: number): string[] {
  const counts = sink.countByTo();
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = counts.get(phone(i)) ?? 0;
    if (n !== 1) problems.push(`${phone(i)}: ${n} SMS`);
  }
  if (sink.messages.length !== count) problems.push(`${sink.messages.length} SMS in total for ${count} events`);
  return problems;
}
