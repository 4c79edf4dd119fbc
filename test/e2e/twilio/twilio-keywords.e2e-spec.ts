// Twilio's opt-out, opt-in and help keywords (issue 15, item 6) against the real webhooks app,
// Redis, and the test gateway behind OIDC: every keyword Twilio acts on is recognised as Twilio
// does (one word, any case, trimmed), never stored as a draft, and opt-outs are remembered in
// the OptOutRegistry for the broadcast fan-out.
import { Redis } from 'ioredis';
import { OPT_OUT_KEY, OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { stackEnv } from '../../support/stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { activate, catalogText, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const PHONE = {
  acme: '+15550301001', // client, en-US, active
  sol: '+15550301002', // client, es-ES, active
  fan: '+15550302001', // subscriber of Acme, es-ES
  stranger: '+15550309999', // neither
  strangerEs: '+15550309998', // neither
};

describe('Twilio keywords: opt-out, opt-in, help', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  let redis: Redis;
  let registry: OptOutRegistry;

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-keywords');
    const store = peers.gateway.store;
    const acme = store.addClient({ name: 'Acme Café', slug: 'acme-cafe', phoneNumber: PHONE.acme, locale: 'en-US' });
    const sol = store.addClient({ name: 'Panadería Sol', slug: 'panaderia-sol', phoneNumber: PHONE.sol, locale: 'es-ES' });
    activate(store, acme);
    activate(store, sol);
    store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'es-ES', clientIds: [acme.id] });
    webhooks = await startWebhooksApp({
      ...peers.env,
      TWILIO_OPT_OUT_KEYWORDS: 'baja,arrêt',
      TWILIO_OPT_IN_KEYWORDS: 'alta',
      TWILIO_HELP_KEYWORDS: 'ayuda',
    });
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: peers.env.REDIS_KEY_PREFIX });
    registry = new OptOutRegistry(redis);
  }, 60_000);

  afterAll(async () => {
    await webhooks?.stop();
    redis?.disconnect();
    await peers?.stop();
  });

  const send = (from: string, body: string, extra?: Record<string, string>) => sendSms(webhooks.url, sms(from, body, extra));
  const draftOf = (phone: string) => redis.get(`announcement:${phone}`);
  const optedOut = async (phone: string) => (await registry.areOptedOut([phone]))[0];

  it.each(['STOP', 'stopall', ' Unsubscribe ', 'CANCEL', 'end', 'Quit', 'REVOKE', 'optout', 'BAJA', 'Arrêt'])(
    'takes the opt-out word %p as Twilio does: no reply, no draft, no gateway call, the number remembered as opted out',
    async (word) => {
      expect((await send(PHONE.acme, 'Two-for-one on Friday')).status).toBe(200);
      await registry.optIn(PHONE.acme);
      const gatewayCalls = peers.gateway.requestCount();
      const res = await send(PHONE.acme, word);
      expect(res.status).toBe(200);
      expect(res.body).toBe(EMPTY);
      expect(await draftOf(PHONE.acme)).toBe('Two-for-one on Friday');
      expect(peers.gateway.requestCount()).toBe(gatewayCalls);
      expect(await optedOut(PHONE.acme)).toBe(true);
    },
  );

  it.each(['START', 'unstop', 'Yes', 'ALTA'])('takes the opt-in word %p: no reply, the draft kept, the opt-out cleared', async (word) => {
    expect((await send(PHONE.sol, 'Pan recién hecho')).status).toBe(200);
    await registry.optOut(PHONE.sol);
    const res = await send(PHONE.sol, word);
    expect(res.body).toBe(EMPTY);
    expect(await draftOf(PHONE.sol)).toBe('Pan recién hecho');
    expect(await optedOut(PHONE.sol)).toBe(false);
  });

  it('keeps the real draft when a client answers YES, so CONFIRM would send the real one', async () => {
    await send(PHONE.acme, 'Grand opening at noon');
    expect((await send(PHONE.acme, 'YES')).body).toBe(EMPTY);
    expect(await draftOf(PHONE.acme)).toBe('Grand opening at noon');
    // A sentence with a keyword in it is no keyword: it is the new draft.
    expect((await send(PHONE.acme, 'Yes we are open')).message).toContain('Yes we are open');
    expect(await draftOf(PHONE.acme)).toBe('Yes we are open');
  });

  it('follows Twilio’s OptOutType for a word only Advanced Opt-Out knows', async () => {
    await registry.optIn(PHONE.fan);
    expect((await send(PHONE.fan, 'PARAR', { OptOutType: 'STOP' })).body).toBe(EMPTY);
    expect(await optedOut(PHONE.fan)).toBe(true);
    expect((await send(PHONE.fan, 'VOLVER', { OptOutType: 'START' })).body).toBe(EMPTY);
    expect(await optedOut(PHONE.fan)).toBe(false);
    expect((await send(PHONE.fan, 'SOCORRO', { OptOutType: 'HELP' })).message).toBe(catalogText('SubscriberHelpMessage', 'es-ES'));
  });

  it('answers INFO and the extra help word like HELP: client help, subscriber help', async () => {
    expect((await send(PHONE.acme, 'info')).message).toMatch(
      /^Reply COMMANDS for help\n[\s\S]*Share: https:\/\/app\.example\.com\/acme-cafe$/,
    );
    expect((await send(PHONE.fan, 'INFO')).message).toBe(catalogText('SubscriberHelpMessage', 'es-ES'));
    expect((await send(PHONE.fan, 'Ayuda')).message).toBe(catalogText('SubscriberHelpMessage', 'es-ES'));
  });

  it('gives a sender who is neither client nor subscriber a short help naming the service and how to opt out', async () => {
    for (const word of ['HELP', 'info']) {
      const res = await send(PHONE.stranger, word);
      expect(res.message).toBe(catalogText('ServiceHelpMessage', 'en-US'));
      expect(res.message).toMatch(/Nudges.*STOP/);
    }
    expect(catalogText('ServiceHelpMessage', 'es-ES')).toMatch(/Nudges.*STOP/);
    // Anything else from a stranger is still "not a customer".
    expect((await send(PHONE.strangerEs, 'hola')).message).toBe(catalogText('NotCustomer', 'en-US'));
  });

  it('records no opt-out for a sender that is no phone number', async () => {
    const before = await redis.hlen(OPT_OUT_KEY);
    expect((await send('12345', 'STOP')).body).toBe(EMPTY);
    expect(await redis.hlen(OPT_OUT_KEY)).toBe(before);
  });
});
