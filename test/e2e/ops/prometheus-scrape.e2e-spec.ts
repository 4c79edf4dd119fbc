// A real Prometheus (Debian's package) scrapes both apps and loads the alert rules: the scrape
// config in docs/operations.md and the rules in ops/prometheus work against the running services.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { until } from '../../support/notifier/events.js';
import { freePort } from '../../support/notifier/private-broker.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';

jest.setTimeout(90_000);

const ALERT_RULES = fileURLToPath(new URL('../../../ops/prometheus/alerts.yml', import.meta.url));

interface QueryAnswer {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('Prometheus scraping both apps', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let notifier: RunningNotifier;
  let prometheus: ChildProcess;
  let api: string;
  const dir = mkdtempSync(join(tmpdir(), 'nudges-prometheus-'));

  beforeAll(async () => {
    peers = await startTwilioPeers('prometheus');
    webhooks = await startWebhooksApp(peers.env);
    const env = stackEnv();
    notifier = await startNotifier({
      env: {
        Kafka__BrokerList: env.Kafka__BrokerList,
        REDIS_URL: env.REDIS_URL,
        REDIS_KEY_PREFIX: `${uniqueName('prometheus')}:`,
        KAFKA_TOPIC_NOTIFICATIONS: uniqueName('prometheus-notifications'),
        KAFKA_TOPIC_DEADLETTER: uniqueName('prometheus-deadletter'),
        KAFKA_CONSUMER_GROUP: uniqueName('prometheus-notifier'),
        NOTIFIER: 'local',
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
    const webhooksTarget = new URL(webhooks.internalUrl).host; // its internal port, as in ops/prometheus/prometheus.yml
    const config = `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ['${ALERT_RULES}']
scrape_configs: [{ job_name: nudges, static_configs: [{ targets: ['${webhooksTarget}', '127.0.0.1:${notifier.healthPort}'] }] }]
`;
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      {
        stdio: 'ignore',
      },
    );
    await until(async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.ok === true, 30_000, 'Prometheus to be ready');
  });

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await notifier?.stop();
    await webhooks?.stop();
    await peers?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = async (promql: string): Promise<QueryAnswer> =>
    (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`)).json() as Promise<QueryAnswer>;

  it('finds both targets up, and the series the alerts are built on', async () => {
    await until(async () => (await query('sum(up{job="nudges"})')).data.result[0]?.value[1] === '2', 30_000, 'both targets up');
    const breakers = await query('nudges_notifier_circuit_breaker_state');
    expect(breakers.data.result.map((r) => r.metric.breaker).sort()).toEqual(['localization', 'redis', 'sms']);
    expect((await query('count(nudges_process_resident_memory_bytes)')).data.result[0]?.value[1]).toBe('2');
  });

  it('loads every alert rule, healthy and not firing', async () => {
    type Rule = { name: string; health: string; state: string };
    let rules: Rule[] = [];
    await until(
      async () => {
        const answer = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: { rules: Rule[] }[] } };
        rules = answer.data.groups.flatMap((g) => g.rules);
        return rules.length > 0 && rules.every((r) => r.health === 'ok');
      },
      20_000,
      'the rules to be evaluated',
    );
    expect(rules.map((r) => r.name).sort()).toEqual([
      'NudgesAppDown',
      'NudgesBroadcastStuck',
      'NudgesCircuitBreakerOpen',
      'NudgesConsumerLagGrowing',
      'NudgesDeadLetters',
      'NudgesTwilioErrorsSpiking',
      'NudgesWebhookErrors',
    ]);
    expect(rules.filter((r) => r.state !== 'inactive')).toEqual([]);
  });
});
