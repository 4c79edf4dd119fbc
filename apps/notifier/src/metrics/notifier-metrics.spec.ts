import { Registry } from 'prom-client';
import { SmsSendError } from '../notifiers/sms-notifier.js';
import { sendRetryReason } from '../resilience/retry-policy.js';
import { NotifierMetrics, twilioErrorLabel } from './notifier-metrics.js';

async function series(
  registry: Registry,
  name: string,
): Promise<{ labels: Record<string, unknown>; value: number; metricName?: string }[]> {
  return (await registry.getSingleMetric(name)!.get()).values;
}

async function valueOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const same = (l: Record<string, unknown>) =>
    Object.keys(labels).length === Object.keys(l).length && Object.entries(labels).every(([k, v]) => l[k] === v);
  return (await series(registry, name)).find((v) => same(v.labels))?.value;
}

const apiError = (status: number, code?: number) =>
  new SmsSendError(status >= 500 || status === 429 ? 'transient' : 'permanent', 'Twilio said no', { status, code });

describe('twilioErrorLabel and sendRetryReason', () => {
  it.each<[string, string, string, unknown]>([
    ['400 / 21211', '21211', 'rejected', apiError(400, 21211)],
    ['429 / 20429', '20429', 'rate_limited', apiError(429, 20429)],
    ['429 without code', 'http_429', 'rate_limited', apiError(429)],
    ['503 without code', 'http_503', 'server_error', apiError(503)],
    ['401 / 20003', '20003', 'unauthorized', apiError(401, 20003)],
    ['no answer (timeout)', 'no_answer', 'no_answer', new SmsSendError('ambiguous', 'timed out')],
    ['connection refused', 'connection_failed', 'connection_failed', new SmsSendError('transient', 'ECONNREFUSED')],
    ['an out-of-range code', 'other', 'rejected', apiError(400, 1e9)],
    ['not an SmsSendError', 'unexpected', 'unexpected', new Error('a bug')],
  ])('%s → code %s, retry reason %s', (_, code, reason, err) => {
    expect(twilioErrorLabel(err)).toBe(code);
    expect(sendRetryReason(err)).toBe(reason);
  });
});

describe('NotifierMetrics', () => {
  let registry: Registry;
  let metrics: NotifierMetrics;

  beforeEach(() => {
    registry = new Registry();
    metrics = new NotifierMetrics(registry);
  });

  it('counts consumed messages and keeps the lag per topic and partition, never below zero', async () => {
    const p0 = metrics.partition('notifications', 0);
    expect(metrics.partition('notifications', 0)).toBe(p0);
    p0.consumed();
    p0.consumed();
    p0.lag(7);
    metrics.partition('notifications', 1).lag(-1);
    expect(await valueOf(registry, 'nudges_notifier_messages_consumed_total', { topic: 'notifications', partition: '0' })).toBe(2);
    expect(await valueOf(registry, 'nudges_notifier_consumer_lag', { topic: 'notifications', partition: '0' })).toBe(7);
    expect(await valueOf(registry, 'nudges_notifier_consumer_lag', { topic: 'notifications', partition: '1' })).toBe(0);
    // Counted between scrapes, reported once each.
    p0.consumed();
    expect(await valueOf(registry, 'nudges_notifier_messages_consumed_total', { topic: 'notifications', partition: '0' })).toBe(3);
    expect(await valueOf(registry, 'nudges_notifier_messages_consumed_total', { topic: 'notifications', partition: '0' })).toBe(3);
  });

  it('forgets the lag of partitions a rebalance took away', async () => {
    metrics.partition('notifications', 0).lag(3);
    metrics.partition('notifications', 1).lag(4);
    metrics.partition('notifications', 0).consumed();
    metrics.assigned({ notifications: [1] });
    expect(await valueOf(registry, 'nudges_notifier_messages_consumed_total', { topic: 'notifications', partition: '0' })).toBe(1);
    expect(await valueOf(registry, 'nudges_notifier_consumer_lag', { topic: 'notifications', partition: '0' })).toBeUndefined();
    expect(await valueOf(registry, 'nudges_notifier_consumer_lag', { topic: 'notifications', partition: '1' })).toBe(4);
  });

  it('records sends: latency by result, Twilio errors by code only for the Twilio notifier', async () => {
    metrics.sendTook('twilio', 0.12);
    metrics.sendTook('twilio', 0.3, apiError(400, 21211));
    metrics.sendTook('local', 0.001, new Error('never happens'));
    const counts = (await series(registry, 'nudges_notifier_send_duration_seconds')).filter(
      (v) => v.metricName === 'nudges_notifier_send_duration_seconds_count',
    );
    expect(counts.map((v) => [v.labels, v.value])).toEqual([
      [{ notifier: 'twilio', result: 'ok' }, 1],
      [{ notifier: 'twilio', result: 'error' }, 1],
      [{ notifier: 'local', result: 'error' }, 1],
    ]);
    expect((await series(registry, 'nudges_notifier_twilio_errors_total')).map((v) => [v.labels, v.value])).toEqual([
      [{ code: '21211' }, 1],
    ]);
  });

  it('maps breaker states to 0 closed, 1 half-open, 2 open', async () => {
    metrics.breakerState('twilio', 'open');
    metrics.breakerState('redis', 'half-open');
    metrics.breakerState('localization', 'closed');
    expect(await valueOf(registry, 'nudges_notifier_circuit_breaker_state', { breaker: 'twilio' })).toBe(2);
    expect(await valueOf(registry, 'nudges_notifier_circuit_breaker_state', { breaker: 'redis' })).toBe(1);
    expect(await valueOf(registry, 'nudges_notifier_circuit_breaker_state', { breaker: 'localization' })).toBe(0);
  });

  it('labels dead letters by reason code, anything unexpected as "other"', async () => {
    metrics.deadLettered('poison.invalid-json');
    metrics.deadLettered('twilio.21211');
    metrics.deadLettered('Reason With +15551234567 In It');
    expect((await series(registry, 'nudges_notifier_dead_lettered_total')).map((v) => [v.labels.reason, v.value])).toEqual([
      ['poison.invalid-json', 1],
      ['twilio.21211', 1],
      ['other', 1],
    ]);
  });

  it('counts outcomes, SMS sent by notifier and retries by dependency and reason', async () => {
    metrics.processedAs('delivered');
    metrics.processedAs('dead-lettered');
    metrics.smsSent('twilio');
    metrics.retried('twilio', 'rate_limited');
    metrics.retried('twilio', 'rate_limited');
    expect(await valueOf(registry, 'nudges_notifier_messages_processed_total', { outcome: 'delivered' })).toBe(1);
    expect(await valueOf(registry, 'nudges_notifier_sms_sent_total', { notifier: 'twilio' })).toBe(1);
    expect(await valueOf(registry, 'nudges_notifier_retries_total', { dependency: 'twilio', reason: 'rate_limited' })).toBe(2);
  });
});
