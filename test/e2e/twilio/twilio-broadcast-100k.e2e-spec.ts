// CONFIRM for a client with 100,000 subscribers: every SendSms committed in one transaction, the
// reply carrying the true count, the recipients spread over all partitions.
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { CommittedNotifications, activate, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';

const CLIENT_PHONE = '+15550006001';
const SUBSCRIBERS = 100_000;

describe('announcement to 100,000 subscribers', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let notifications: CommittedNotifications;

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-100k');
    const client = peers.gateway.store.addClient({ name: 'Big Crowd', slug: 'big-crowd', phoneNumber: CLIENT_PHONE, locale: 'es-ES' });
    activate(peers.gateway.store, client);
    peers.gateway.store.seedSubscribers(client.id, SUBSCRIBERS);
    notifications = new CommittedNotifications(peers.topic);
    await notifications.start();
    webhooks = await startWebhooksApp(peers.env);
  }, 60_000);

  afterAll(async () => {
    await webhooks?.stop();
    await notifications?.stop();
    await peers?.stop();
  });

  it('commits one SendSms per subscriber in one transaction and replies the count', async () => {
    const text = `Gran venta 🎉 ${Date.now()} <hoy> & "mañana"`;
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, text))).status).toBe(200);

    const started = Date.now();
    const reply = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'));
    const replyMs = Date.now() - started;
    expect(reply.message).toBe(`Enviado a ${SUBSCRIBERS} suscriptores`);

    const records = await notifications.waitForBody(text, SUBSCRIBERS, 45_000);
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
    process.stdout.write(`100k broadcast: reply after ${replyMs} ms\n`);
  }, 90_000);
});
