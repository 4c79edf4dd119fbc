// SMS commands against a test gateway that behaves like the real HotChocolate one: at most 50 items
// per page (HC0051 above), 10 without `first`, and injected execution errors. A subscriber with 60
// clients and a client with 120 subscribers need more than one page each; the client's subscribers
// are paged by the broadcaster (in this process, on the same gateway), which fans out a CONFIRM.
// Every test ends by checking, on the gateway's own record, that no request of either app asked for
// more than 50 items.
import { Redis } from 'ioredis';
import type { ClientRecord, SubscriberRecord } from '../../../peers/gateway/store.js';
import { startBroadcasterApp, type RunningBroadcaster } from '../../support/broadcaster-app.js';
import { stackEnv } from '../../support/stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
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

const PHONE = {
  big: '+15550007001', // client, en-US, active, 120 subscribers
  fan: '+15550007002', // subscriber of 60 clients, en-US
};
const CLIENT_COUNT = 60;
const SUBSCRIBER_COUNT = 120;
const ERROR_REPLY = /^Sorry, something went wrong: ref [0-9a-f]{8}$/;
/**
 * CONFIRM waits this long for the fan-out: far more than three pages take, so the reply carries
 * the count (the "sending" path is announcement.e2e-spec.ts's), and still under Twilio's 15 s.
 */
const REPLY_WITHIN_MS = 10_000;

describe('Twilio SMS commands against a gateway with HotChocolate limits (50 per page)', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let broadcaster: RunningBroadcaster;
  let redis: Redis;
  let notifications: CommittedNotifications;
  let big: ClientRecord;
  let fan: SubscriberRecord;
  const shops: ClientRecord[] = [];

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-limits');
    const store = peers.gateway.store;
    big = store.addClient({ name: 'Big Shop', slug: 'big-shop', phoneNumber: PHONE.big, locale: 'en-US' });
    activate(store, big);
    store.seedSubscribers(big.id, SUBSCRIBER_COUNT, { phonePrefix: '+1333' });
    for (let i = 0; i < CLIENT_COUNT; i++) shops.push(store.addClient({ name: `Shop ${String(i).padStart(3, '0')}` }));
    // Subscribed in reverse, so the name order UNSUB uses is not the insertion order.
    fan = store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'en-US', clientIds: [...shops].reverse().map((c) => c.id) });

    notifications = new CommittedNotifications(peers.topic);
    await notifications.start();
    // GRAPHQL_PAGE_SIZE left at its default in both apps.
    webhooks = await startWebhooksApp({ ...peers.env, BROADCAST_REPLY_WITHIN_MS: String(REPLY_WITHIN_MS) });
    broadcaster = await startBroadcasterApp(peers.env);
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: peers.env.REDIS_KEY_PREFIX! });
  }, 60_000);

  afterAll(async () => {
    await broadcaster?.stop();
    await webhooks?.stop();
    await notifications?.stop();
    redis?.disconnect();
    await peers?.stop();
  });

  beforeEach(() => peers.gateway.resetPageRequests());

  afterEach(() => {
    // The real gateway refuses anything above 50; so does this one, but a refused page could be
    // hidden behind a reply that still looks right. The gateway's own record cannot be.
    expect(peers.gateway.largestPageRequested()).toBeLessThanOrEqual(50);
  });

  const send = (from: string, body: string) => sendSms(webhooks.url, sms(from, body));
  const draftKey = (phone: string) => `announcement:${phone}`;
  /** Committed SendSms records carrying this (ASCII, unique) announcement text, whatever the codec's casing. */
  const recordsWith = (text: string) => notifications.records.filter((r) => r.value.includes(text));
  const subscriberPages = () => peers.gateway.pageRequests().filter((p) => p.coordinate === 'Client.subscribers');
  /** Waits for the fan-out of `text`, then checks that every subscriber got exactly one SendSms. */
  async function expectEverySubscriberOnce(text: string): Promise<void> {
    await until(() => recordsWith(text).length >= SUBSCRIBER_COUNT, 20_000, `${SUBSCRIBER_COUNT} SendSms records`);
    await notifications.barrier();
    const records = recordsWith(text);
    expect(records).toHaveLength(SUBSCRIBER_COUNT);
    expect(new Set(records.map((r) => r.parsedValue.phoneNumber)).size).toBe(SUBSCRIBER_COUNT);
  }

  it('HELP for a client and for a subscriber of 60 clients', async () => {
    const client = await send(PHONE.big, 'HELP');
    expect(client.status).toBe(200);
    expect(client.message).toBe(
      `${catalogText('ClientHelpMessage', 'en-US')}\n${catalogText('ClientHelpLinks', 'en-US', {
        accountUrl: 'https://app.example.com/account',
        subUrl: 'https://billing.stripe.com/p/login/test',
        shareUrl: 'https://app.example.com/big-shop',
      })}`,
    );
    const subscriber = await send(PHONE.fan, 'HELP');
    expect(subscriber.status).toBe(200);
    expect(subscriber.message).toBe(catalogText('SubscriberHelpMessage', 'en-US'));
    // The subscriber's 60 clients took two pages, each within the limit.
    const clientPages = peers.gateway.pageRequests().filter((p) => p.coordinate === 'Subscriber.clients');
    expect(clientPages.length).toBeGreaterThanOrEqual(2);
    expect(clientPages.every((p) => p.first !== undefined && p.first <= 50)).toBe(true);
  });

  it('lists the clients past the first page in name order, and UNSUB 55 leaves the 55th', async () => {
    const list = await send(PHONE.fan, 'what are my subscriptions?');
    const lines = list.message!.split('\n');
    expect(lines[0]).toBe('Your subscriptions:');
    // The reply is cut at Twilio's 1600 characters, so not all 60 lines fit; those past 50 came from page 2.
    expect(lines.length).toBeGreaterThan(55);
    lines.slice(1, -1).forEach((line, i) => expect(line).toBe(`UNSUB ${i + 1} to leave Shop ${String(i).padStart(3, '0')}`));
    expect([...list.message!].length).toBeLessThanOrEqual(1600);

    const res = await send(PHONE.fan, 'UNSUB 55');
    expect(res.message).toBe('You have unsubscribed from Shop 054.');
    expect(fan.clientIds.has(shops[54]!.id)).toBe(false);
    expect(fan.clientIds.size).toBe(CLIENT_COUNT - 1);
    expect(peers.gateway.mutations.at(-1)).toMatchObject({ field: 'unsubscribeSubscriberFromClient', outcome: 'applied' });
  });

  it('stores a draft and CONFIRM sends it to all 120 subscribers, the broadcaster paging by 50', async () => {
    const text = `Limits sale ${Date.now()}`;
    expect((await send(PHONE.big, text)).message).toBe(
      `Your announcement:\n${text}\nReply CONFIRM to send it.\nEach subscriber receives it as 1 SMS.`,
    );
    expect(await redis.get(draftKey(PHONE.big))).toBe(text);
    const res = await send(PHONE.big, 'CONFIRM');
    expect(res.message).toBe(`Sent to ${SUBSCRIBER_COUNT} subscribers`);
    expect(await redis.get(draftKey(PHONE.big))).toBeNull();
    await expectEverySubscriberOnce(text);
    expect(subscriberPages().map((p) => p.first)).toEqual([50, 50, 50]);
  });

  it('answers the error text when the gateway reports an execution error, and the retry works', async () => {
    peers.gateway.failNext(1, 'executionError');
    const failed = await send(PHONE.fan, 'HELP');
    expect(failed.status).toBe(200);
    expect(failed.message).toMatch(ERROR_REPLY);
    expect((await send(PHONE.fan, 'HELP')).message).toBe(catalogText('SubscriberHelpMessage', 'en-US'));
  });

  it('keeps the draft when a new text or CONFIRM meets an execution error, then sends it', async () => {
    const text = `Kept draft ${Date.now()}`;
    await send(PHONE.big, text);
    expect(await redis.get(draftKey(PHONE.big))).toBe(text);

    peers.gateway.failNext(1, 'executionError');
    expect((await send(PHONE.big, 'A replacement that never arrives')).message).toMatch(ERROR_REPLY);
    expect(await redis.get(draftKey(PHONE.big))).toBe(text);

    peers.gateway.failNext(1, 'executionError');
    expect((await send(PHONE.big, 'CONFIRM')).message).toMatch(ERROR_REPLY);
    expect(await redis.get(draftKey(PHONE.big))).toBe(text);
    await notifications.barrier();
    expect(recordsWith(text)).toHaveLength(0);

    expect((await send(PHONE.big, 'CONFIRM')).message).toBe(`Sent to ${SUBSCRIBER_COUNT} subscribers`);
    await expectEverySubscriberOnce(text);
  });

  it('retries the fan-out step when a page meets an execution error mid-paging: every subscriber once', async () => {
    const text = `Mid paging ${Date.now()}`;
    await send(PHONE.big, text);
    const store = peers.gateway.store;
    const original = store.subscriberIdsOf.bind(store);
    let pages = 0;
    store.subscriberIdsOf = (clientId: string) => {
      if (clientId === big.id && ++pages === 1) peers.gateway.failNext(1, 'executionError'); // page 2 fails
      return original(clientId);
    };
    try {
      // An execution error without a code is transient: the step's transaction is aborted (page 1's
      // SendSms included) and the step is read again from its start, after a short backoff.
      expect((await send(PHONE.big, 'CONFIRM')).message).toBe(`Sent to ${SUBSCRIBER_COUNT} subscribers`);
    } finally {
      store.subscriberIdsOf = original;
    }
    // Page 1, then (the failed page 2 never reached a resolver) pages 1 to 3 again: each asked for 50.
    expect(pages).toBe(4);
    expect(subscriberPages().map((p) => p.first)).toEqual([50, 50, 50, 50]);
    expect(await redis.get(draftKey(PHONE.big))).toBeNull();
    await expectEverySubscriberOnce(text);
  });

  it('answers the error text when the gateway refuses with AUTH_NOT_AUTHORIZED', async () => {
    peers.gateway.failNext(1, 'notAuthorized');
    const res = await send(PHONE.big, 'HELP');
    expect(res.status).toBe(200);
    expect(res.message).toMatch(ERROR_REPLY);
  });
});
