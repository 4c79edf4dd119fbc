// Every SMS command for every kind of sender, both locales, against the real webhooks app, Kafka,
// Redis, the test gateway behind OIDC and the embedded catalog.
import { Redis } from 'ioredis';
import type { ClientRecord, SubscriberRecord } from '../../../peers/gateway/store.js';
import { stackEnv } from '../../support/stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { readLikeCSharpOrThrow } from '../../support/csharp/strict-reader.js';
import {
  AUTH_TOKEN,
  CommittedNotifications,
  activate,
  catalogText,
  sendSms,
  sms,
  startTwilioPeers,
  type TwilioPeers,
} from '../../support/twilio/twilio-support.js';

const PHONE = {
  acme: '+15550001001', // client, en-US, active, 3 subscribers
  sol: '+15550001002', // client, es-ES, active
  idle: '+15550001003', // client, en-US, no subscription
  both: '+15550003001', // client (active) and subscriber of Acme
  fan: '+15550002001', // subscriber of Acme and Panadería Sol, en-US
  fanEs: '+15550002002', // subscriber of Panadería Sol, es-ES
  lonely: '+15550002003', // subscriber of nobody
  rollback: '+15550001004', // client with 250 subscribers, for the failed broadcast
  stranger: '+15550009999', // neither
};

describe('Twilio SMS commands (embedded catalog)', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let redis: Redis;
  let notifications: CommittedNotifications;
  let prefix: string;
  const clients: Record<string, ClientRecord> = {};
  const subscribers: Record<string, SubscriberRecord> = {};

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-commands');
    const store = peers.gateway.store;
    clients.acme = store.addClient({ name: 'Acme Café', slug: 'acme-cafe', phoneNumber: PHONE.acme, locale: 'en-US' });
    clients.sol = store.addClient({ name: 'Panadería Sol', slug: 'panaderia-sol', phoneNumber: PHONE.sol, locale: 'es-ES' });
    clients.idle = store.addClient({ name: 'Idle Co', phoneNumber: PHONE.idle, locale: 'en-US' });
    clients.both = store.addClient({ name: 'Both Shop', slug: 'both-shop', phoneNumber: PHONE.both, locale: 'en-US' });
    clients.rollback = store.addClient({ name: 'Rollback Ltd', slug: 'rollback', phoneNumber: PHONE.rollback, locale: 'en-US' });
    for (const c of [clients.acme, clients.sol, clients.both, clients.rollback]) activate(store, c!);
    subscribers.fan = store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'en-US', clientIds: [clients.sol!.id, clients.acme!.id] });
    subscribers.fanEs = store.addSubscriber({ phoneNumber: PHONE.fanEs, locale: 'es-ES', clientIds: [clients.sol!.id] });
    subscribers.lonely = store.addSubscriber({ phoneNumber: PHONE.lonely, locale: 'es-ES' });
    subscribers.both = store.addSubscriber({ phoneNumber: PHONE.both, locale: 'en-US', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: '+15550004001', locale: 'es-ES', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: '+15550004002', locale: 'es-ES', clientIds: [clients.sol!.id] });
    store.seedSubscribers(clients.rollback!.id, 250, { phonePrefix: '+1444' });

    prefix = peers.env.REDIS_KEY_PREFIX!;
    notifications = new CommittedNotifications(peers.topic);
    await notifications.start();
    // Small produce requests, so a failing page comes after messages were already sent.
    webhooks = await startWebhooksApp({ ...peers.env, ANNOUNCEMENT_KAFKA_CHUNK: '50' });
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
  }, 60_000);

  afterAll(async () => {
    await webhooks?.stop();
    await notifications?.stop();
    redis?.disconnect();
    await peers?.stop();
  });

  const send = (from: string, body: string, extra?: Record<string, string>) => sendSms(webhooks.url, sms(from, body, extra));

  describe('HELP / COMMANDS', () => {
    it('gives a client the help with the account, portal and share links', async () => {
      const res = await send(PHONE.acme, 'HELP');
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/xml/);
      expect(res.message).toBe(
        'Reply COMMANDS for help\nAccount: https://app.example.com/account\nPortal: https://billing.stripe.com/p/login/test\nShare: https://app.example.com/acme-cafe',
      );
    });

    it('is case-insensitive, ignores surrounding whitespace and answers in the client locale', async () => {
      const res = await send(PHONE.sol, '  commands \n');
      expect(res.message).toBe(
        `${catalogText('ClientHelpMessage', 'es-ES')}\n${catalogText('ClientHelpLinks', 'es-ES', {
          accountUrl: 'https://app.example.com/account',
          subUrl: 'https://billing.stripe.com/p/login/test',
          shareUrl: 'https://app.example.com/panaderia-sol',
        })}`,
      );
      expect(res.message!.startsWith('Responde COMMANDS para ayuda')).toBe(true);
    });

    it('gives a subscriber the subscriber help, a client-and-subscriber the client help, anyone else the service help', async () => {
      expect((await send(PHONE.fan, 'help')).message).toBe(catalogText('SubscriberHelpMessage', 'en-US'));
      expect((await send(PHONE.fanEs, 'Help')).message).toBe(catalogText('SubscriberHelpMessage', 'es-ES'));
      expect((await send(PHONE.both, 'HELP')).message).toMatch(
        /^Reply COMMANDS for help\n[\s\S]*Share: https:\/\/app\.example\.com\/both-shop$/,
      );
      expect((await send(PHONE.stranger, 'HELP')).message).toBe(catalogText('ServiceHelpMessage', 'en-US'));
    });
  });

  describe('ignored keywords', () => {
    it.each(['STOP', 'start', ' Unstop '])('acknowledges %p with an empty <Response/> without asking the gateway', async (word) => {
      const before = peers.gateway.requestCount();
      const res = await send(PHONE.acme, word);
      expect(res.status).toBe(200);
      expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      expect(peers.gateway.requestCount()).toBe(before);
      expect(await redis.get(`announcement:${PHONE.acme}`)).not.toBe(word.trim());
    });
  });

  describe('UNSUB <n>', () => {
    it('lists a subscriber’s clients (any other text) in the order UNSUB uses', async () => {
      const res = await send(PHONE.fan, 'what can I do?');
      expect(res.message).toBe('Your subscriptions:\nUNSUB 1 to leave Acme Café\nUNSUB 2 to leave Panadería Sol');
      expect((await send(PHONE.fanEs, 'hola')).message).toBe('Tus suscripciones:\nUNSUB 1 para salir de Panadería Sol');
      expect((await send(PHONE.lonely, 'hola')).message).toBe(catalogText('NotSubscriber', 'es-ES'));
    });

    it('unsubscribes the subscriber from the n-th client through the gateway', async () => {
      const res = await send(PHONE.fan, 'unsub 2');
      expect(res.message).toBe('You have unsubscribed from Panadería Sol.');
      expect(subscribers.fan!.clientIds.has(clients.sol!.id)).toBe(false);
      expect(subscribers.fan!.clientIds.has(clients.acme!.id)).toBe(true);
      expect(peers.gateway.mutations.at(-1)).toMatchObject({ field: 'unsubscribeSubscriberFromClient', outcome: 'applied' });
      expect((await send(PHONE.fan, 'anything')).message).toBe('Your subscriptions:\nUNSUB 1 to leave Acme Café');
    });

    it('answers in Spanish for an es-ES subscriber', async () => {
      const res = await send(PHONE.fanEs, 'UNSUB   1');
      expect(res.message).toBe('Te has dado de baja de Panadería Sol.');
      expect(subscribers.fanEs!.clientIds.size).toBe(0);
    });

    it('refuses a number that is not on the list, and non-subscribers', async () => {
      expect((await send(PHONE.fan, 'UNSUB 7')).message).toBe(catalogText('UnsubscribeInvalidSelection', 'en-US'));
      expect((await send(PHONE.fan, 'UNSUB 0')).message).toBe(catalogText('UnsubscribeInvalidSelection', 'en-US'));
      expect((await send(PHONE.stranger, 'UNSUB 1')).message).toBe(catalogText('NotSubscriber', 'en-US'));
      expect((await send(PHONE.sol, 'UNSUB 1')).message).toBe(catalogText('NotSubscriber', 'es-ES'));
      expect((await send(PHONE.fanEs, 'UNSUB 1')).message).toBe(catalogText('NotSubscriber', 'es-ES'));
    });
  });

  describe('announcement draft and CONFIRM', () => {
    const draftKey = (phone: string) => `announcement:${phone}`;

    it('stores a client’s text as the draft with a 24 h TTL and quotes it back, TwiML-escaped', async () => {
      const text = 'Big sale <b>tomorrow</b> & "friends" 😀👍🏽 ñ';
      const res = await send(PHONE.acme, text);
      expect(res.status).toBe(200);
      expect(res.body).toContain('&lt;b&gt;tomorrow&lt;/b&gt; &amp; "friends"');
      expect(res.message).toBe(`Your announcement:\n${text}\nReply CONFIRM to send it.`);
      expect(await redis.get(draftKey(PHONE.acme))).toBe(text);
      const ttl = await redis.pttl(draftKey(PHONE.acme));
      expect(ttl).toBeGreaterThan(24 * 3600_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
    });

    it('replaces the draft with a newer text', async () => {
      await send(PHONE.sol, 'primera versión');
      const res = await send(PHONE.sol, 'segunda versión 🎉');
      expect(res.message).toBe('Tu anuncio:\nsegunda versión 🎉\nResponde CONFIRM para enviarlo.');
      expect(await redis.get(draftKey(PHONE.sol))).toBe('segunda versión 🎉');
    });

    it('CONFIRM broadcasts the draft to every subscriber in their locale and replies the true count', async () => {
      const text = `Grand opening 🎉 <today> & "tomorrow" ${Date.now()}`;
      await send(PHONE.acme, text);
      const res = await send(PHONE.acme, ' confirm ');
      expect(res.message).toBe('Sent to 3 subscribers');
      expect(await redis.get(draftKey(PHONE.acme))).toBeNull();

      const records = await notifications.waitForBody(text, 3);
      const byPhone = Object.fromEntries(records.map((r) => [r.parsedValue.phoneNumber, r]));
      expect(Object.keys(byPhone).sort()).toEqual([PHONE.both, PHONE.fan, '+15550004001'].sort());
      expect(byPhone['+15550004001']!.parsedValue.locale).toBe('es-ES');
      expect(byPhone[PHONE.fan]!.parsedValue.locale).toBe('en-US');
      for (const record of records) {
        expect(record.value.startsWith('{"$type":"notification.sendSms",')).toBe(true);
        expect(record.parsedValue).toMatchObject({
          resourceKey: 'AnnouncementTemplate',
          replacements: { clientName: 'Acme Café', smsBody: text, link: 'https://app.example.com/acme-cafe' },
        });
        expect(JSON.parse(record.key)).toEqual({ EventType: 'SendSms', Recipient: expect.any(String) });
        // What the C# notifications handler binds from the same bytes.
        expect(readLikeCSharpOrThrow('NotificationKey', record.key)).toEqual({ EventType: 'SendSms' });
        expect(readLikeCSharpOrThrow('NotificationEvent', record.value)).toEqual({
          $type: 'notification.sendSms',
          PhoneNumber: record.parsedValue.phoneNumber,
          ResourceKey: 'AnnouncementTemplate',
          Locale: record.parsedValue.locale,
          Replacements: { clientName: 'Acme Café', smsBody: text, link: 'https://app.example.com/acme-cafe' },
        });
      }
      expect(new Set(records.map((r) => r.key)).size).toBe(3);

      expect((await send(PHONE.acme, 'CONFIRM')).message).toBe(catalogText('NoPendingAnnouncement', 'en-US'));
    });

    it('answers CONFIRM in Spanish for an es-ES client', async () => {
      const text = `Oferta ${Date.now()} ¡ya!`;
      await send(PHONE.sol, text);
      expect((await send(PHONE.sol, 'CONFIRM')).message).toBe('Enviado a 1 suscriptores');
      const [record] = await notifications.waitForBody(text, 1);
      expect(record!.parsedValue).toMatchObject({ phoneNumber: '+15550004002', locale: 'es-ES' });
    });

    it('refuses drafts and CONFIRM from clients without an active subscription, and from non-clients', async () => {
      expect((await send(PHONE.idle, 'Sale!')).message).toBe(catalogText('SubscriptionNotActive', 'en-US'));
      expect(await redis.exists(draftKey(PHONE.idle))).toBe(0);
      expect((await send(PHONE.idle, 'CONFIRM')).message).toBe(catalogText('SubscriptionNotActive', 'en-US'));
      expect((await send(PHONE.stranger, 'CONFIRM')).message).toBe(catalogText('NotCustomer', 'en-US'));
      expect((await send(PHONE.fan, 'CONFIRM')).message).toBe(catalogText('NotCustomer', 'en-US'));
      expect((await send(PHONE.stranger, 'Buy now')).message).toBe(catalogText('NotCustomer', 'en-US'));
      expect((await send(PHONE.lonely, 'CONFIRM')).message).toBe(catalogText('NotCustomer', 'es-ES'));
    });

    it('treats a client who is also a subscriber as a client for drafts', async () => {
      const res = await send(PHONE.both, 'Both sale');
      expect(res.message).toBe('Your announcement:\nBoth sale\nReply CONFIRM to send it.');
      expect((await send(PHONE.both, 'CONFIRM')).message).toBe('Sent to 0 subscribers');
    });

    it('broadcasts once when two CONFIRMs race', async () => {
      const text = `Race ${Date.now()}`;
      await send(PHONE.acme, text);
      const replies = await Promise.all([send(PHONE.acme, 'CONFIRM'), send(PHONE.acme, 'CONFIRM')]);
      expect(replies.map((r) => r.message).sort()).toEqual([catalogText('NoPendingAnnouncement', 'en-US'), 'Sent to 3 subscribers'].sort());
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(3);
    });

    it('aborts the transaction and puts the draft back when the gateway fails mid-paging', async () => {
      const text = `Rollback ${Date.now()}`;
      await send(PHONE.rollback, text);
      // Serve the first page of Rollback Ltd's subscribers (two produce requests of 50 go into the
      // transaction), then make the next gateway request, for page 2, fail with a 503.
      const store = peers.gateway.store;
      const original = store.subscriberIdsOf.bind(store);
      let pages = 0;
      store.subscriberIdsOf = (clientId: string) => {
        if (clientId === clients.rollback!.id && ++pages === 1) peers.gateway.failNext(1, 'http503');
        return original(clientId);
      };
      try {
        const failed = await send(PHONE.rollback, 'CONFIRM');
        expect(failed.status).toBe(200);
        expect(failed.message).toMatch(/^Sorry, something went wrong: ref [0-9a-f]{8}$/);
      } finally {
        store.subscriberIdsOf = original;
      }
      expect(pages).toBe(1);
      expect(await redis.get(draftKey(PHONE.rollback))).toBe(text);
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(0);

      expect((await send(PHONE.rollback, 'CONFIRM')).message).toBe('Sent to 250 subscribers');
      const records = await notifications.waitForBody(text, 250);
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(250);
      expect(new Set(records.map((r) => r.parsedValue.phoneNumber)).size).toBe(250);
      expect(new Set(records.map((r) => r.partition)).size).toBe(6);
    });

    it('fetches a page again with a fresh token when the gateway answers 401 mid-paging', async () => {
      const text = `Token refresh ${Date.now()}`;
      await send(PHONE.rollback, text);
      const store = peers.gateway.store;
      const original = store.subscriberIdsOf.bind(store);
      let pages = 0;
      store.subscriberIdsOf = (clientId: string) => {
        if (clientId === clients.rollback!.id && ++pages === 1) peers.gateway.failNext(1, 'http401');
        return original(clientId);
      };
      const tokensBefore = peers.oidc.tokenCount();
      try {
        expect((await send(PHONE.rollback, 'CONFIRM')).message).toBe('Sent to 250 subscribers');
      } finally {
        store.subscriberIdsOf = original;
      }
      expect(peers.oidc.tokenCount()).toBe(tokensBefore + 1);
      await notifications.waitForBody(text, 250);
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(250);
    });
  });

  describe('message limits and malformed requests', () => {
    it('refuses a body over 1600 characters with a localized reply and stores nothing', async () => {
      await redis.del(`announcement:${PHONE.sol}`);
      const res = await send(PHONE.sol, 'x'.repeat(1601));
      expect(res.message).toBe(catalogText('MessageTooLong', 'es-ES'));
      expect(await redis.exists(`announcement:${PHONE.sol}`)).toBe(0);
    });

    it('accepts exactly 1600 characters, counting an emoji as one', async () => {
      const text = '😀'.repeat(1600);
      const res = await send(PHONE.sol, text);
      expect(res.status).toBe(200);
      expect(await redis.get(`announcement:${PHONE.sol}`)).toBe(text);
      expect([...res.message!].length).toBeLessThanOrEqual(1600);
    });

    it('answers 400 without From or Body', async () => {
      const { From: _from, ...noFrom } = sms(PHONE.acme, 'HELP');
      const { Body: _body, ...noBody } = sms(PHONE.acme, 'HELP');
      expect((await sendSms(webhooks.url, noFrom)).status).toBe(400);
      expect((await sendSms(webhooks.url, noBody)).status).toBe(400);
    });

    it('answers an empty text with an empty <Response/>', async () => {
      const res = await send(PHONE.acme, '   ');
      expect(res.status).toBe(200);
      expect(res.message).toBeNull();
    });
  });

  describe('MessageSid replay', () => {
    it('returns the first reply for a repeated MessageSid without processing it again', async () => {
      const first = sms(PHONE.acme, 'Version one');
      const firstReply = await sendSms(webhooks.url, first);
      await send(PHONE.acme, 'Version two');
      const replay = await sendSms(webhooks.url, first);
      expect(replay.status).toBe(200);
      expect(replay.body).toBe(firstReply.body);
      expect(await redis.get(`announcement:${PHONE.acme}`)).toBe('Version two');
    });

    it('processes concurrent deliveries of one MessageSid once', async () => {
      const text = `Concurrent ${Date.now()}`;
      await send(PHONE.acme, text);
      const confirm = sms(PHONE.acme, 'CONFIRM');
      const replies = await Promise.all([sendSms(webhooks.url, confirm), sendSms(webhooks.url, confirm), sendSms(webhooks.url, confirm)]);
      expect(replies.map((r) => r.message)).toEqual(['Sent to 3 subscribers', 'Sent to 3 subscribers', 'Sent to 3 subscribers']);
      await notifications.barrier();
      expect(notifications.withBody(text)).toHaveLength(3);
    });
  });

  describe('authentication', () => {
    it('answers 401 for a wrong API key, before looking at the signature', async () => {
      const res = await sendSms(webhooks.url, sms(PHONE.acme, 'HELP'), { path: '/api/TwilioWebhookHandler?code=wrong' });
      expect(res.status).toBe(401);
    });

    it('answers 403 for a missing, an invalid or another URL’s signature', async () => {
      const params = sms(PHONE.acme, 'HELP');
      expect((await sendSms(webhooks.url, params, { signUrl: false })).status).toBe(403);
      expect((await sendSms(webhooks.url, params, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
      expect((await sendSms(webhooks.url, params, { signUrl: `${webhooks.url}/api/TwilioWebhookHandler` })).status).toBe(403);
      const tampered = await fetch(`${webhooks.url}/api/TwilioWebhookHandler?code=test-api-key`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': (await import('twilio')).default.getExpectedTwilioSignature(
            AUTH_TOKEN,
            `${webhooks.url}/api/TwilioWebhookHandler?code=test-api-key`,
            params,
          ),
        },
        body: new URLSearchParams({ ...params, Body: 'CONFIRM' }).toString(),
      });
      expect(tampered.status).toBe(403);
    });
  });

  describe('internal failures', () => {
    it('answers 500 with a generic body when the gateway is down, and processes the retry afresh', async () => {
      const params = sms(PHONE.acme, 'HELP');
      peers.gateway.setDown(true);
      let failed;
      try {
        failed = await sendSms(webhooks.url, params);
      } finally {
        peers.gateway.setDown(false);
      }
      expect(failed.status).toBe(500);
      expect(failed.body).toBe('Internal Server Error');
      expect(failed.body).not.toMatch(/5550001001|Bearer|at .*\.ts|gateway/i);
      const retried = await sendSms(webhooks.url, params);
      expect(retried.status).toBe(200);
      expect(retried.message).toMatch(/^Reply COMMANDS for help/);
    });
  });
});
