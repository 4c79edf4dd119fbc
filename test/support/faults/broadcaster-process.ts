// The broadcaster as a separate process (the built app, as deployed) beside the webhooks process of
// the whole-system suites, and the client's side of a CONFIRM after a fault: texting CONFIRM again
// until the broadcast is accepted, then telling how the fan-out reached the subscribers.
import { spawnBroadcaster, healthPortOf, type AppProcess } from '../app-process.js';
import { baseBroadcasterEnv } from '../broadcaster-app.js';
import { catalogText, sendSms, sms, until, type CommittedNotifications, type NotificationRecord } from '../twilio/twilio-support.js';
import { retryUntil2xx, type RetriedDelivery, type RetryPolicy } from './webhooks-process.js';

export interface BroadcasterProcess {
  proc: AppProcess;
  /** Base URL of /health, /health/ready and /metrics. */
  healthUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the built broadcaster with `env` over the test base (LOG_LEVEL info, for the start-up line
 * the health port is read from). Give it the same REDIS_KEY_PREFIX, KAFKA_TOPIC_NOTIFICATIONS,
 * KAFKA_TOPIC_BROADCASTS (and a BROADCAST_CONSUMER_GROUP of the test's own) as the webhooks process.
 */
export async function startBroadcasterProcess(env: Record<string, string>, label: string): Promise<BroadcasterProcess> {
  const proc = await spawnBroadcaster({ ...baseBroadcasterEnv(), LOG_LEVEL: 'info', ...env }, label);
  const healthPort = await healthPortOf(proc, 60_000);
  return {
    proc,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

/** How a CONFIRM reply says the broadcast was taken: with its count, or "sending" (the count follows by SMS). */
export function acceptedAs(message: string | null, locale = 'en-US'): 'sent' | 'sending' | undefined {
  if (message === null) return undefined;
  if (message === catalogText('AnnouncementSending', locale)) return 'sending';
  const count = /\d+/.exec(message)?.[0];
  return count !== undefined && message === catalogText('AnnouncementSent', locale, { count }) ? 'sent' : undefined;
}

/**
 * A client whose CONFIRM was refused (the error text) texts CONFIRM again, with a new MessageSid,
 * until the reply says the broadcast was taken; any other answer counts as a failed attempt (503).
 */
export function confirmUntilAccepted(webhooksUrl: string, phone: string, policy: RetryPolicy): Promise<RetriedDelivery> {
  return retryUntil2xx(async () => {
    const answer = await sendSms(webhooksUrl, sms(phone, 'CONFIRM'));
    return { status: acceptedAs(answer.message) ? answer.status : 503, body: answer.message ?? '' };
  }, policy);
}

export interface BroadcastDeliveries {
  /** Committed SendSms records carrying the announcement. */
  records: NotificationRecord[];
  /** Distinct subscribers among them (by record key). */
  distinct: number;
  /** SendSms records to the client telling how the broadcast ended (AnnouncementSent). */
  completions: NotificationRecord[];
}

/**
 * Waits until every one of `subscribers` got the announcement `text` and, when the CONFIRM reply
 * was "sending", until the client got its completion SMS; then reads the topic to its end (barrier)
 * so that duplicates committed later are counted too.
 */
export async function broadcastDeliveries(
  notifications: CommittedNotifications,
  options: { text: string; subscribers: number; clientPhone: string; reply: string; timeoutMs: number },
): Promise<BroadcastDeliveries> {
  const completions = () =>
    notifications.records.filter(
      (r) => r.parsedValue.phoneNumber === options.clientPhone && r.parsedValue.resourceKey === 'AnnouncementSent',
    );
  await notifications.waitForBody(options.text, options.subscribers, options.timeoutMs);
  if (acceptedAs(options.reply) === 'sending') await until(() => completions().length > 0, options.timeoutMs, 'the completion SMS');
  await notifications.barrier(options.timeoutMs);
  const records = notifications.withBody(options.text);
  return { records, distinct: new Set(records.map((r) => r.key)).size, completions: completions() };
}

/**
 * What the client was told of the broadcast's outcome: the CONFIRM reply when it carried the count,
 * and each completion SMS (rendered as the reply would be). Exactly once means one entry.
 */
export function outcomesToldToClient(reply: string, completions: NotificationRecord[], locale = 'en-US'): string[] {
  return [
    ...(acceptedAs(reply, locale) === 'sent' ? [reply] : []),
    ...completions.map((r) => catalogText('AnnouncementSent', locale, r.parsedValue.replacements)),
  ];
}
