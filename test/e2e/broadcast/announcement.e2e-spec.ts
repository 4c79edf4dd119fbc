// The announcement flow from draft to fan-out against the real webhooks app and the real
// broadcaster (both in this process), Kafka, Redis and the test gateway behind OIDC, which
// enforces the gateway's 50-per-page limit.
import { Redis } from 'ioredis';
import type { ClientRecord } from '../../../peers/gateway/store.js';
import { CapturedOutput } from '../../../apps/cli/src/cli-output.js';
import { withBroadcasts } from '../../../apps/cli/src/cli.runners.js';
import { BroadcastRequests } from '../../../apps/webhooks/src/twilio/announcement/broadcast-requests.js';
import { startBroadcasterApp, type RunningBroadcaster } from '../../support/broadcaster-app.js';
import { readLikeCSharpOrThrow } from '../../support/csharp/strict-reader.js';
import { stackEnv } from '../../support/stack.js';
import {
  CommittedNotifications,
  activate,
  catalogText,
  sendSms,
  sms,
  startTwilioPeers,
  until,
  type NotificationRecord,
  type TwilioPeers,
} from '../../support/twilio/twilio-support.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';

const PHONE = {
  acme: '+15550101001', // en-US, 3 subscribers
  sol: '+15550101002', // es-ES, 1 subscriber
  big: '+15550101003', // en-US, 3,000 subscribers
  gone: '+15550101004', // en-US, its subscriber list cannot be read
  both: '+15550101005', // a client who is also a subscriber of Acme, no subscribers of its own
};
// Generous, so "the fan-out finished in time" holds on a loaded machine; the "sending" case holds
// the gateway until the reply came (the bench measures the default window).
const REPLY_WITHIN_MS = 8000;

describe('announcements: draft, CONFIRM and the fan-out', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let broadcaster: RunningBroadcaster;
  let notifications: CommittedNotifications;
  let redis: Redis;
  const clients: Record<string, ClientRecord> = {};

  beforeAll(async () => {
    peers = await startTwilioPeers('announcement');
    const store = peers.gateway.store;
    clients.acme = store.addClient({ name: 'Acme Café', slug: 'acme-cafe', phoneNumber: PHONE.acme, locale: 'en-US' });
    clients.sol = store.addClient({ name: 'Panadería Sol', slug: 'panaderia-sol', phoneNumber: PHONE.sol, locale: 'es-ES' });
    clients.big = store.addClient({ name: 'Big Shop', slug: 'big-shop', phoneNumber: PHONE.big, locale: 'en-US' });
    clients.gone = store.addClient({ name: 'Gone Ltd', slug: 'gone', phoneNumber: PHONE.gone, locale: 'en-US' });
    clients.both = store.addClient({ name: 'Both Shop', slug: 'both-shop', phoneNumber: PHONE.both, locale: 'en-US' });
    for (const c of Object.values(clients)) activate(store, c);
    store.addSubscriber({ phoneNumber: '+15550104001', locale: 'en-US', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: '+15550104002', locale: 'es-ES', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: PHONE.both, locale: 'en-US', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: '+15550104003', locale: 'es-ES', clientIds: [clients.sol!.id] });
    store.seedSubscribers(clients.big!.id, 3000, { phonePrefix: '+1444' });

    notifications = new CommittedNotifications(peers.topic);
    await notifications.start();
    webhooks = await startWebhooksApp({ ...peers.env, BROADCAST_REPLY_WITHIN_MS: String(REPLY_WITHIN_MS) });
    broadcaster = await startBroadcasterApp(peers.env);
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: peers.env.REDIS_KEY_PREFIX });
  }, 60_000);

  afterAll(async () => {
    await broadcaster?.stop();
    await webhooks?.stop();
    await notifications?.stop();
    redis?.disconnect();
    await peers?.stop();
  });

  const send = (from: string, body: string, extra?: Record<string, string>) => sendSms(webhooks.url, sms(from, body, extra));
  const draftOf = (phone: string) => redis.get(`announcement:${phone}`);
  const toClient = (phone: string, resourceKey: string) =>
    notifications.records.filter((r) => r.parsedValue.phoneNumber === phone && r.parsedValue.resourceKey === resourceKey);

  describe('the draft', () => {
    it('is stored for 24 h and quoted back, TwiML-escaped, with the SMS segments each subscriber receives', async () => {
      const text = 'Big sale <b>tomorrow</b> & "friends"';
      const res = await send(PHONE.acme, text);
      expect(res.status).toBe(200);
      expect(res.body).toContain('&lt;b&gt;tomorrow&lt;/b&gt; &amp; "friends"');
      expect(res.message).toBe(`Your announcement:\n${text}\nReply CONFIRM to send it.\nEach subscriber receives it as 1 SMS.`);
      expect(await draftOf(PHONE.acme)).toBe(text);
      const ttl = await redis.pttl(`announcement:${PHONE.acme}`);
      expect(ttl).toBeGreaterThan(24 * 3600_000 - 60_000);
    });

    it('counts segments on the rendered text: GSM-7 153 per segment, UCS-2 (an emoji) 67', async () => {
      // "Acme Café says: " + text + "\nhttps://app.example.com/acme-cafe" in en-US; "dice" in es-ES is no longer.
      const gsm = 'a'.repeat(200);
      expect((await send(PHONE.acme, gsm)).message).toMatch(/\nEach subscriber receives it as 2 SMS\.$/);
      const ucs2 = `${'a'.repeat(100)} 🎉`;
      expect((await send(PHONE.acme, ucs2)).message).toMatch(/\nEach subscriber receives it as 3 SMS\.$/);
      expect((await send(PHONE.sol, 'hola')).message).toBe(
        'Tu anuncio:\nhola\nResponde CONFIRM para enviarlo.\nCada suscriptor lo recibe como 1 SMS.',
      );
    });

    it('is refused when the rendered announcement would exceed 1,600 characters, in the client’s language, and the earlier draft stays', async () => {
      await send(PHONE.sol, 'borrador corto');
      const tooLong = 'x'.repeat(1580);
      const res = await send(PHONE.sol, tooLong);
      // "Panadería Sol dice: " (20) + 1580 + "\n" + "https://app.example.com/panaderia-sol" (37) = 1638.
      expect(res.message).toBe(catalogText('AnnouncementTooLong', 'es-ES', { length: '1638', limit: '1600' }));
      expect(await draftOf(PHONE.sol)).toBe('borrador corto');
    });
  });

  describe('CONFIRM', () => {
    it('of a small list answers the true count directly; every subscriber gets one C#-readable SendSms; no SMS to the client', async () => {
      const text = `Grand opening 🎉 <today> & "tomorrow" ${Date.now()}`;
      await send(PHONE.acme, text);
      const res = await send(PHONE.acme, ' confirm ');
      expect(res.message).toBe('Sent to 3 subscribers');
      expect(await draftOf(PHONE.acme)).toBeNull();

      const records = await notifications.waitForBody(text, 3);
      expectAnnouncement(records, text);
      expect(records.map((r) => r.parsedValue.phoneNumber).sort()).toEqual(['+15550104001', '+15550104002', PHONE.both].sort());
      expect(records.find((r) => r.parsedValue.phoneNumber === '+15550104002')!.parsedValue.locale).toBe('es-ES');
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(3);
      expect(toClient(PHONE.acme, 'AnnouncementSent')).toHaveLength(0);
      expect((await send(PHONE.acme, 'CONFIRM')).message).toBe(catalogText('NoPendingAnnouncement', 'en-US'));
    });

    it('answers in Spanish for an es-ES client', async () => {
      const text = `Oferta ${Date.now()} ¡ya!`;
      await send(PHONE.sol, text);
      expect((await send(PHONE.sol, 'CONFIRM')).message).toBe('Enviado a 1 suscriptores');
      const [record] = await notifications.waitForBody(text, 1);
      expect(record!.parsedValue).toMatchObject({ phoneNumber: '+15550104003', locale: 'es-ES' });
    });

    it('skips a subscriber who texted STOP and does not count them; START brings them back', async () => {
      const stopper = '+15550104001';
      expect((await send(stopper, 'STOP')).body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      const skipped = `While stopped ${Date.now()}`;
      await send(PHONE.acme, skipped);
      expect((await send(PHONE.acme, 'CONFIRM')).message).toBe('Sent to 2 subscribers');
      await notifications.barrier();
      expect(notifications.withBody(skipped).map((r) => r.parsedValue.phoneNumber)).not.toContain(stopper);
      expect(notifications.withBody(skipped)).toHaveLength(2);

      await send(stopper, 'START');
      const back = `Back again ${Date.now()}`;
      await send(PHONE.acme, back);
      expect((await send(PHONE.acme, 'CONFIRM')).message).toBe('Sent to 3 subscribers');
      expect((await notifications.waitForBody(back, 3)).map((r) => r.parsedValue.phoneNumber)).toContain(stopper);
    });

    it('of a client without subscribers answers "Sent to 0 subscribers"', async () => {
      await send(PHONE.both, 'Both sale');
      expect((await send(PHONE.both, 'CONFIRM')).message).toBe('Sent to 0 subscribers');
    });

    it('broadcasts once when two CONFIRMs race, and once for concurrent Twilio retries of one MessageSid', async () => {
      const raced = `Race ${Date.now()}`;
      await send(PHONE.acme, raced);
      const replies = await Promise.all([send(PHONE.acme, 'CONFIRM'), send(PHONE.acme, 'CONFIRM')]);
      expect(replies.map((r) => r.message).sort()).toEqual([catalogText('NoPendingAnnouncement', 'en-US'), 'Sent to 3 subscribers'].sort());

      const retried = `Retried ${Date.now()}`;
      await send(PHONE.acme, retried);
      const confirm = sms(PHONE.acme, 'CONFIRM');
      const deliveries = await Promise.all([0, 1, 2].map(() => sendSms(webhooks.url, confirm)));
      expect(deliveries.map((r) => r.message)).toEqual(['Sent to 3 subscribers', 'Sent to 3 subscribers', 'Sent to 3 subscribers']);
      expect((await sendSms(webhooks.url, confirm)).message).toBe('Sent to 3 subscribers');

      await notifications.barrier();
      expect(notifications.withBody(raced)).toHaveLength(3);
      expect(notifications.withBody(retried)).toHaveLength(3);
    });

    it('of a list that takes longer than the reply window answers "sending", then the client gets the true count by SMS, once', async () => {
      const text = `Big news ${Date.now()}`;
      await send(PHONE.big, text);
      // The gateway goes down after the first page of Big Shop's subscribers and comes back only
      // after CONFIRM was answered: the fan-out retries its step and completes afterwards.
      const release = holdGatewayAfterFirstPage(clients.big!.id);
      const started = Date.now();
      const res = await send(PHONE.big, 'CONFIRM');
      const replyMs = Date.now() - started;
      release();
      expect(res.message).toBe(catalogText('AnnouncementSending', 'en-US'));
      expect(replyMs).toBeLessThan(REPLY_WITHIN_MS + 2000);

      const records = await notifications.waitForBody(text, 3000, 60_000);
      await until(() => toClient(PHONE.big, 'AnnouncementSent').length > 0, 30_000, 'the completion SMS');
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(3000);
      expect(new Set(records.map((r) => r.parsedValue.phoneNumber)).size).toBe(3000);
      expect(new Set(records.map((r) => r.partition)).size).toBe(6);
      const completion = toClient(PHONE.big, 'AnnouncementSent');
      expect(completion).toHaveLength(1);
      expect(completion[0]!.parsedValue).toMatchObject({ locale: 'en-US', replacements: { count: '3000' } });
      expect(peers.gateway.largestPageRequested()).toBeLessThanOrEqual(50);
    }, 90_000);

    it('of a client whose subscriber list cannot be read ends failed: the client is told, the draft is back', async () => {
      const text = `Unreadable ${Date.now()}`;
      await send(PHONE.gone, text);
      // The client is found by its phone, but by the time the fan-out asks for its subscribers the
      // gateway no longer knows it (ClientNotFoundError: a retry cannot help).
      const store = peers.gateway.store;
      const ghost = store.addClient({ name: 'Gone Ltd', slug: 'gone', locale: 'en-US' });
      activate(store, ghost);
      store.clients.delete(ghost.id);
      const original = store.clientByPhoneNumber.bind(store);
      store.clientByPhoneNumber = (phone: string) => (phone === PHONE.gone ? ghost : original(phone));
      try {
        expect((await send(PHONE.gone, 'CONFIRM')).message).toBe(catalogText('AnnouncementFailed', 'en-US'));
      } finally {
        store.clientByPhoneNumber = original;
      }
      expect(await draftOf(PHONE.gone)).toBe(text);
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(0);
      expect(toClient(PHONE.gone, 'AnnouncementFailed')).toHaveLength(0);
    });
  });

  describe('a CONFIRM whose record Kafka did not confirm', () => {
    it('gives the draft back with its broadcast id, so a second CONFIRM records the same broadcast; a newer draft gets a new one', async () => {
      const requests = webhooks.app.get(BroadcastRequests);
      await send(PHONE.sol, 'uncertain');
      const first = await requests.claim(PHONE.sol, 'SM00000000000000000000000000000001');
      await requests.giveBack(PHONE.sol, 'SM00000000000000000000000000000001', first!);
      expect(await draftOf(PHONE.sol)).toBe('uncertain');
      const again = await requests.claim(PHONE.sol, 'SM00000000000000000000000000000002');
      expect(again).toMatchObject({ broadcastId: first!.broadcastId, text: 'uncertain' });

      await requests.giveBack(PHONE.sol, 'SM00000000000000000000000000000002', again!);
      await send(PHONE.sol, 'newer text');
      const fresh = await requests.claim(PHONE.sol, 'SM00000000000000000000000000000003');
      expect(fresh).toMatchObject({ text: 'newer text' });
      expect(fresh!.broadcastId).not.toBe(first!.broadcastId);
    });
  });

  describe('progress you can see', () => {
    it('broadcast list|show (the CLI) and the broadcaster’s metrics report state, counts and times', async () => {
      const text = `Observed ${Date.now()}`;
      await send(PHONE.acme, text);
      expect((await send(PHONE.acme, 'CONFIRM')).message).toBe('Sent to 3 subscribers');
      const cliEnv = { ...stackEnv(), REDIS_KEY_PREFIX: peers.env.REDIS_KEY_PREFIX, LOG_LEVEL: 'warn' };

      const list = new CapturedOutput();
      expect(await withBroadcasts(cliEnv, (cli) => cli.list({ json: true }, list))).toBe(0);
      const newest = JSON.parse(list.lines[0]!) as {
        broadcastId: string;
        state: string;
        sent: number;
        startedAt: string;
        finishedAt: string;
      };
      expect(newest).toMatchObject({ state: 'completed', sent: 3, startedAt: expect.any(String), finishedAt: expect.any(String) });

      const show = new CapturedOutput();
      expect(await withBroadcasts(cliEnv, (cli) => cli.show(newest.broadcastId, {}, show))).toBe(0);
      expect(show.lines).toEqual(
        expect.arrayContaining([
          `broadcast   ${newest.broadcastId}`,
          'state       completed',
          'sent        3 SendSms (1 pages; 0 without a phone number, 0 opted out)',
          expect.stringMatching(/^delivery {4}\d+ delivered, \d+ undelivered, \d+ failed, \d+ opted out/),
        ]),
      );
      const unknown = new CapturedOutput();
      expect(await withBroadcasts(cliEnv, (cli) => cli.show('no-such-broadcast', {}, unknown))).toBe(1);
      expect(unknown.warnings).toEqual([expect.stringMatching(/^no broadcast no-such-broadcast/)]);

      const metrics = await (await fetch(`${broadcaster.url}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
      expect(value('nudges_broadcast_sendsms_produced_total')).toBeGreaterThanOrEqual(3);
      expect(value('nudges_broadcast_started_total')).toBeGreaterThanOrEqual(1);
      expect(metrics).toMatch(/^nudges_broadcast_finished_total\{state="completed"\} \d+/m);
      expect(metrics).toMatch(/^nudges_broadcast_duration_seconds_count \d+/m);
      expect(metrics).toMatch(/^nudges_broadcast_in_flight \d+/m);
    });
  });

  function holdGatewayAfterFirstPage(clientId: string): () => void {
    const store = peers.gateway.store;
    const original = store.subscriberIdsOf.bind(store);
    let pages = 0;
    store.subscriberIdsOf = (id: string) => {
      if (id === clientId && ++pages === 1) peers.gateway.setDown(true);
      return original(id);
    };
    return () => {
      store.subscriberIdsOf = original;
      peers.gateway.setDown(false);
    };
  }
});

function expectAnnouncement(records: NotificationRecord[], text: string): void {
  const replacements = { clientName: 'Acme Café', smsBody: text, link: 'https://app.example.com/acme-cafe' };
  for (const record of records) {
    expect(record.value.startsWith('{"$type":"notification.sendSms",')).toBe(true);
    expect(record.parsedValue).toMatchObject({ resourceKey: 'AnnouncementTemplate', replacements });
    expect(JSON.parse(record.key)).toEqual({ EventType: 'SendSms', Recipient: expect.any(String) });
    // The broadcast header and the key (the subscriber) are the notifier's identity of the SendSms.
    expect(record.headers['nudges-broadcast-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    // What the C# notifications handler binds from the same bytes.
    expect(readLikeCSharpOrThrow('NotificationKey', record.key)).toEqual({ EventType: 'SendSms' });
    expect(readLikeCSharpOrThrow('NotificationEvent', record.value)).toEqual({
      $type: 'notification.sendSms',
      PhoneNumber: record.parsedValue.phoneNumber,
      ResourceKey: 'AnnouncementTemplate',
      Locale: record.parsedValue.locale,
      Replacements: replacements,
    });
  }
  expect(new Set(records.map((r) => r.key)).size).toBe(records.length);
}
