// Replies localized by the LocalizationApi over gRPC (the test server), in both locales, and a
// LocalizationApi outage answered with a generic 500 so Twilio falls back.
import { startLocalizationServer, type LocalizationServer } from '../../peers/localization/localization-server.js';
import { startWebhooksApp, type RunningWebhooks } from '../support/webhooks-app.js';
import { CommittedNotifications, activate, sendSms, sms, startTwilioPeers, type TwilioPeers } from './twilio-support.js';

const PHONE = { cliente: '+15550008001', client: '+15550008002', fan: '+15550008003', stranger: '+15550008999' };

describe('Twilio replies through the gRPC LocalizationApi', () => {
  let peers: TwilioPeers;
  let localization: LocalizationServer;
  let webhooks: RunningWebhooks;
  let notifications: CommittedNotifications;

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-grpc');
    localization = await startLocalizationServer();
    const store = peers.gateway.store;
    const cliente = store.addClient({ name: 'Librería Luna', slug: 'libreria-luna', phoneNumber: PHONE.cliente, locale: 'es-ES' });
    const client = store.addClient({ name: 'Zed Books', slug: 'zed-books', phoneNumber: PHONE.client, locale: 'en-US' });
    activate(store, cliente);
    activate(store, client);
    store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'es-ES', clientIds: [client.id, cliente.id] });
    notifications = new CommittedNotifications(peers.topic);
    await notifications.start();
    webhooks = await startWebhooksApp({ ...peers.env, LOCALIZATION_API_URL: localization.url });
  }, 60_000);

  afterAll(async () => {
    await webhooks?.stop();
    await notifications?.stop();
    await localization?.stop();
    await peers?.stop();
  });

  const send = (from: string, body: string) => sendSms(webhooks.url, sms(from, body));

  it('localizes through the gRPC server in es-ES and en-US', async () => {
    const callsBefore = localization.calls;
    expect((await send(PHONE.cliente, 'AYUDA')).message).toBe('Tu anuncio:\nAYUDA\nResponde CONFIRM para enviarlo.');
    expect((await send(PHONE.cliente, 'help')).message).toBe(
      'Responde COMMANDS para ayuda\nCuenta: https://app.example.com/account\nPortal: https://billing.stripe.com/p/login/test\nCompartir: https://app.example.com/libreria-luna',
    );
    expect((await send(PHONE.client, 'HELP')).message).toMatch(/^Reply COMMANDS for help\n/);
    expect((await send(PHONE.fan, 'hola')).message).toBe('Tus suscripciones:\nUNSUB 1 para salir de Librería Luna\nUNSUB 2 para salir de Zed Books');
    expect((await send(PHONE.stranger, 'hi')).message).toBe('This number is not registered as a Nudges client.');
    expect(localization.calls).toBeGreaterThan(callsBefore + 5);
  });

  it('drafts and broadcasts with the counts rendered by the server', async () => {
    const text = `Novedades 📚 ${Date.now()}`;
    await send(PHONE.cliente, text);
    expect((await send(PHONE.cliente, 'CONFIRM')).message).toBe('Enviado a 1 suscriptores');
    const [record] = await notifications.waitForBody(text, 1);
    expect(record!.parsedValue).toMatchObject({ phoneNumber: PHONE.fan, locale: 'es-ES', resourceKey: 'AnnouncementTemplate' });
  });

  it('answers a generic 500 while the LocalizationApi fails, and normally once it is back', async () => {
    const params = sms(PHONE.cliente, 'x'.repeat(1601)); // MessageTooLong: not rendered (cached) before
    localization.setMode('fail');
    let failed;
    try {
      failed = await sendSms(webhooks.url, params);
    } finally {
      localization.setMode('ok');
    }
    expect(failed.status).toBe(500);
    expect(failed.body).toBe('Internal Server Error');
    const retried = await sendSms(webhooks.url, params);
    expect(retried.message).toBe('Tu mensaje es demasiado largo. El límite es de 1600 caracteres.');
  });
});
