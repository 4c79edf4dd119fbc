// Every SMS command for every kind of sender, both locales, against the real webhooks app, Kafka,
// Redis, the test gateway behind OIDC and the embedded catalog.
import { Redis } from 'ioredis';
import type { ClientRecord, SubscriberRecord } from '../../../peers/gateway/store.js';
import { stackEnv } from '../../support/stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import {
  API_KEY,
  AUTH_TOKEN,
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
  stranger: '+15550009999', // neither
};

describe('Twilio SMS commands (embedded catalog)', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let redis: Redis;
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
    for (const c of [clients.acme, clients.sol, clients.both]) activate(store, c!);
    subscribers.fan = store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'en-US', clientIds: [clients.sol!.id, clients.acme!.id] });
    subscribers.fanEs = store.addSubscriber({ phoneNumber: PHONE.fanEs, locale: 'es-ES', clientIds: [clients.sol!.id] });
    subscribers.lonely = store.addSubscriber({ phoneNumber: PHONE.lonely, locale: 'es-ES' });
    subscribers.both = store.addSubscriber({ phoneNumber: PHONE.both, locale: 'en-US', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: '+15550004001', locale: 'es-ES', clientIds: [clients.acme!.id] });
    store.addSubscriber({ phoneNumber: '+15550004002', locale: 'es-ES', clientIds: [clients.sol!.id] });

    prefix = peers.env.REDIS_KEY_PREFIX!;
    webhooks = await startWebhooksApp(peers.env);
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
  }, 60_000);

  afterAll(async () => {
    await webhooks?.stop();
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

  describe('message limits and malformed requests', () => {
    it('refuses a body over 1600 characters with a localized reply and stores nothing', async () => {
      await redis.del(`announcement:${PHONE.sol}`);
      const res = await send(PHONE.sol, 'x'.repeat(1601));
      expect(res.message).toBe(catalogText('MessageTooLong', 'es-ES'));
      expect(await redis.exists(`announcement:${PHONE.sol}`)).toBe(0);
    });

    it('accepts exactly 1600 characters, counting an emoji as one', async () => {
      // From a subscriber (a client's draft is also measured rendered: test/e2e/broadcast).
      const res = await send(PHONE.fanEs, '😀'.repeat(1600));
      expect(res.status).toBe(200);
      expect(res.message).not.toBe(catalogText('MessageTooLong', 'es-ES'));
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
      const tampered = await fetch(`${webhooks.url}/api/TwilioWebhookHandler?code=${API_KEY}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': (await import('twilio')).default.getExpectedTwilioSignature(
            AUTH_TOKEN,
            `${webhooks.url}/api/TwilioWebhookHandler?code=${API_KEY}`,
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
