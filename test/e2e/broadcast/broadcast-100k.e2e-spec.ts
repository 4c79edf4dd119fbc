// CONFIRM for a client with 100,000 subscribers: the webhooks app answers "sending" within its
// reply window, the broadcaster fans the list out in Kafka transactions, every subscriber gets
// exactly one committed SendSms, spread over all partitions, and the client one completion SMS with
// the true count. Both apps are the built ones in processes of their own (as deployed), so the
// reply time is the app's, not this process's, which serves the gateway's 2,000 pages meanwhile.
// The broadcaster's peak RSS is reported.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startBroadcasterProcess, type BroadcasterProcess } from '../../support/faults/broadcaster-process.js';
import { startWebhooksProcess, type WebhooksProcess } from '../../support/faults/webhooks-process.js';
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

jest.setTimeout(300_000);

const CLIENT_PHONE = '+15550006001';
const SUBSCRIBERS = 100_000;

/** A /proc/<pid>/status figure (VmRSS now, VmHWM the peak so far) in MB. */
function memoryMbOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no ${field} for process ${pid}`);
  return Math.round(Number(kb) / 1024);
}

describe('announcement to 100,000 subscribers', () => {
  let peers: TwilioPeers;
  let webhooks: WebhooksProcess;
  let broadcaster: BroadcasterProcess;
  let startedRssMb: number;
  let notifications: CommittedNotifications;

  beforeAll(async () => {
    peers = await startTwilioPeers('broadcast-100k');
    const client = peers.gateway.store.addClient({ name: 'Big Crowd', slug: 'big-crowd', phoneNumber: CLIENT_PHONE, locale: 'es-ES' });
    activate(peers.gateway.store, client);
    peers.gateway.store.seedSubscribers(client.id, SUBSCRIBERS);
    notifications = new CommittedNotifications(peers.topic);
    webhooks = await startWebhooksProcess(peers.env, 'broadcast-100k'); // BROADCAST_REPLY_WITHIN_MS at its default (2500)
    broadcaster = await startBroadcasterProcess(peers.env, 'broadcast-100k');
    startedRssMb = memoryMbOf(broadcaster.proc.pid, 'VmRSS');
  }, 240_000);

  afterAll(async () => {
    await broadcaster?.stop();
    await webhooks?.stop();
    await notifications?.stop();
    await peers?.stop();
  });

  const toClient = (resourceKey: string) =>
    notifications.records.filter((r) => r.parsedValue.phoneNumber === CLIENT_PHONE && r.parsedValue.resourceKey === resourceKey);

  it('answers "sending" within 3 s, then commits one SendSms per subscriber and tells the client the true count once', async () => {
    const text = `Gran venta 🎉 ${Date.now()} <hoy> & "mañana"`;
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, text))).status).toBe(200);

    const started = Date.now();
    const reply = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'));
    const replyMs = Date.now() - started;
    expect(reply.message).toBe(catalogText('AnnouncementSending', 'es-ES'));
    expect(replyMs).toBeLessThan(3000);
    // Read from the beginning of the topic, after the reply: nothing is missed.
    await notifications.start();

    const records = await notifications.waitForBody(text, SUBSCRIBERS, 240_000);
    await until(() => toClient('AnnouncementSent').length > 0, 60_000, 'the completion SMS');
    const fanoutMs = Date.now() - started;
    await notifications.barrier();
    expect(notifications.withBody(text)).toHaveLength(SUBSCRIBERS);
    expect(new Set(records.map((r) => r.key)).size).toBe(SUBSCRIBERS);
    expect(new Set(records.map((r) => r.parsedValue.phoneNumber)).size).toBe(SUBSCRIBERS);
    expect(new Set(records.map((r) => r.partition)).size).toBe(6);
    expect(records.filter((r) => r.parsedValue.locale === 'es-ES')).toHaveLength(SUBSCRIBERS / 10);
    expect(records[0]!.parsedValue.replacements).toEqual({
      clientName: 'Big Crowd',
      smsBody: text,
      link: 'https://app.example.com/big-crowd',
    });
    const completion = toClient('AnnouncementSent');
    expect(completion).toHaveLength(1);
    expect(completion[0]!.parsedValue).toMatchObject({ locale: 'es-ES', replacements: { count: String(SUBSCRIBERS) } });
    expect(peers.gateway.largestPageRequested()).toBeLessThanOrEqual(50);

    process.stdout.write(
      `100k broadcast: reply "sending" after ${replyMs} ms, fan-out complete after ${fanoutMs} ms; ` +
        `broadcaster RSS ${startedRssMb} MB once started, peak (VmHWM) ${memoryMbOf(broadcaster.proc.pid, 'VmHWM')} MB\n`,
    );
  });
});
