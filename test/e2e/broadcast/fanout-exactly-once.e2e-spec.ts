// Exactly once under fire: a 20,000-subscriber broadcast fanned out by the built broadcaster (a real
// process) against a Kafka broker of this test's own, while the broadcaster is killed with SIGKILL
// three times, the broker is restarted and the gateway goes down. Every subscriber must get
// exactly one committed SendSms and the client exactly one completion SMS.
import { jest } from '@jest/globals';
import type { ClientRecord } from '../../../peers/gateway/store.js';
import { spawnBroadcaster, type AppProcess } from '../../support/app-process.js';
import { baseBroadcasterEnv } from '../../support/broadcaster-app.js';
import { startPrivateBroker, type PrivateBroker } from '../../support/notifier/private-broker.js';
import {
  CommittedNotifications,
  activate,
  catalogText,
  sendSms,
  sms,
  startTwilioPeers,
  until,
  type TwilioPeers,
} from '../../support/twilio/twilio-support.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';

jest.setTimeout(300_000);

const SUBSCRIBERS = 20_000;

describe('broadcast fan-out: exactly once through kill -9, a broker restart and a gateway outage', () => {
  let broker: PrivateBroker;
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let notifications: CommittedNotifications;
  let workerEnv: Record<string, string>;
  const workers: AppProcess[] = [];
  let seq = 0;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    peers = await startTwilioPeers('fanout-once');
    const env = { ...peers.env, Kafka__BrokerList: broker.brokers };
    notifications = new CommittedNotifications(peers.topic, broker.brokers);
    await notifications.start();
    webhooks = await startWebhooksApp({ ...env, BROADCAST_REPLY_WITHIN_MS: '1000' });
    // Small steps, so a kill lands mid-broadcast with many steps committed before and after it.
    workerEnv = {
      ...baseBroadcasterEnv(),
      ...env,
      LOG_LEVEL: 'info',
      BROADCAST_PAGES_PER_STEP: '4',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await webhooks?.stop();
    await notifications?.stop();
    await peers?.stop();
    await broker?.destroy();
  });

  async function startWorker(): Promise<AppProcess> {
    seq += 1;
    const worker = await spawnBroadcaster(workerEnv, `fanout-once-${seq}`);
    workers.push(worker);
    await worker.waitForOutput(/"msg":"broadcaster started"/, 60_000);
    return worker;
  }

  function newClient(name: string, phone: string): ClientRecord {
    const store = peers.gateway.store;
    const client = store.addClient({ name, slug: name.toLowerCase(), phoneNumber: phone, locale: 'en-US' });
    activate(store, client);
    store.seedSubscribers(client.id, SUBSCRIBERS, { phonePrefix: `+1${phone.slice(-3)}` });
    return client;
  }

  async function confirm(phone: string, text: string): Promise<void> {
    await sendSms(webhooks.url, sms(phone, text));
    const reply = await sendSms(webhooks.url, sms(phone, 'CONFIRM'));
    expect(reply.message).toBe(catalogText('AnnouncementSending', 'en-US'));
  }

  async function expectExactlyOnce(phone: string, text: string): Promise<void> {
    const completion = () =>
      notifications.records.filter((r) => r.parsedValue.phoneNumber === phone && r.parsedValue.resourceKey === 'AnnouncementSent');
    await until(() => completion().length > 0, 180_000, 'the completion SMS');
    await notifications.barrier();
    const records = notifications.withBody(text);
    const phones = new Set(records.map((r) => r.parsedValue.phoneNumber));
    expect({ records: records.length, distinct: phones.size }).toEqual({ records: SUBSCRIBERS, distinct: SUBSCRIBERS });
    expect(completion()).toHaveLength(1);
    expect(completion()[0]!.parsedValue.replacements).toEqual({ count: String(SUBSCRIBERS) });
  }

  const committed = (text: string) => notifications.withBody(text).length;

  it('survives three SIGKILLs of the broadcaster mid-fan-out', async () => {
    let worker = await startWorker();
    const phone = '+15550201001';
    newClient('Killed', phone);
    const text = `Killed thrice ${Date.now()}`;
    await confirm(phone, text);
    for (const threshold of [3000, 8000, 13000]) {
      await until(() => committed(text) >= threshold, 120_000, `${threshold} SendSms committed`);
      worker.kill('SIGKILL');
      await worker.exited;
      expect(committed(text)).toBeLessThan(SUBSCRIBERS);
      worker = await startWorker();
    }
    await expectExactlyOnce(phone, text);
  });

  it('survives a restart of the Kafka broker mid-fan-out', async () => {
    const worker = workers.at(-1)!;
    const phone = '+15550201002';
    newClient('Restarted', phone);
    const text = `Broker restart ${Date.now()}`;
    const outputBefore = worker.output().length;
    await confirm(phone, text);
    await until(() => committed(text) >= 5000, 120_000, '5000 SendSms committed');
    await broker.stop();
    await until(
      () => /broadcast step failed|Connection error|ECONNREFUSED|consumer crashed/.test(worker.output().slice(outputBefore)),
      60_000,
      'the broadcaster to notice',
    );
    await broker.start();
    await expectExactlyOnce(phone, text);
  });

  it('survives a gateway outage mid-fan-out and resumes where it stopped', async () => {
    const phone = '+15550201003';
    newClient('Outage', phone);
    const text = `Gateway outage ${Date.now()}`;
    const requestsBefore = peers.gateway.requestCount();
    await confirm(phone, text);
    await until(() => committed(text) >= 5000, 120_000, '5000 SendSms committed');
    peers.gateway.setDown(true);
    const stalledAt = committed(text);
    await until(() => peers.gateway.requestCount() > requestsBefore + 10 && committed(text) === stalledAt, 30_000, 'the fan-out to stall');
    peers.gateway.setDown(false);
    await expectExactlyOnce(phone, text);
    expect(peers.gateway.largestPageRequested()).toBeLessThanOrEqual(50);
  });
});
