// Replies localized by the LocalizationApi over gRPC (the test peer, which serves its own texts and
// behaves like the C# service), in both locales and through culture fallback; keys the server lacks
// and requests it rejects rendered from the embedded catalog; a LocalizationApi outage answered with
// a generic 500 so Twilio falls back. A CONFIRM is fanned out by the broadcaster (in this process).
import { startLocalizationServer, type LocalizationServer } from '../../../peers/localization/localization-server.js';
import { startBroadcasterApp, type RunningBroadcaster } from '../../support/broadcaster-app.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { activate, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';

const PHONE = {
  cliente: '+15550008001',
  client: '+15550008002',
  fan: '+15550008003',
  mexican: '+15550008004',
  french: '+15550008005',
  fanMx: '+15550008006',
  stranger: '+15550008999',
};
/** CONFIRM waits this long for the fan-out of one subscriber: the reply carries the count (rendered by the server). */
const REPLY_WITHIN_MS = 10_000;

describe('Twilio replies through the gRPC LocalizationApi', () => {
  let peers: TwilioPeers;
  let localization: LocalizationServer;
  let webhooks: RunningWebhooks;
  let broadcaster: RunningBroadcaster;

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-grpc');
    localization = await startLocalizationServer();
    const store = peers.gateway.store;
    const cliente = store.addClient({ name: 'Librería Luna', slug: 'libreria-luna', phoneNumber: PHONE.cliente, locale: 'es-ES' });
    const client = store.addClient({ name: 'Zed Books', slug: 'zed-books', phoneNumber: PHONE.client, locale: 'en-US' });
    const mexican = store.addClient({ name: 'Tacos Sol', slug: 'tacos-sol', phoneNumber: PHONE.mexican, locale: 'es-MX' });
    const french = store.addClient({ name: 'Chez Zoé', slug: 'chez-zoe', phoneNumber: PHONE.french, locale: 'fr-FR' });
    for (const c of [cliente, client, mexican, french]) activate(store, c);
    store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'es-ES', clientIds: [client.id, cliente.id] });
    store.addSubscriber({ phoneNumber: PHONE.fanMx, locale: 'es-MX', clientIds: [mexican.id] });
    webhooks = await startWebhooksApp({
      ...peers.env,
      LOCALIZATION_API_URL: localization.url,
      BROADCAST_REPLY_WITHIN_MS: String(REPLY_WITHIN_MS),
    });
    broadcaster = await startBroadcasterApp(peers.env);
  }, 60_000);

  afterAll(async () => {
    await broadcaster?.stop();
    await webhooks?.stop();
    await localization?.stop();
    await peers?.stop();
  });

  const send = (from: string, body: string) => sendSms(webhooks.url, sms(from, body));

  it("renders the server's texts in es-ES and en-US, Spanish line breaks without the server's stray backslash", async () => {
    const callsBefore = localization.calls;
    // The segments are counted on the announcement as the server renders it for each locale: the
    // Spanish one ("Novedades de Librería Luna:\n\nAYUDA" + link) is 71 UCS-2 units (í), so 2 SMS.
    expect((await send(PHONE.cliente, 'AYUDA')).message).toBe(
      'Vas a enviar este anuncio:\n\nAYUDA\n\nEscribe SEND para enviarlo o CANCEL para descartarlo.\nCada suscriptor lo recibe como 2 SMS.',
    );
    expect((await send(PHONE.cliente, 'help')).message).toBe(
      'Responde COMMANDS para ayuda\n\nEscribe STOP para bloquear este número. Todo lo demás que escribas se envía a tus suscriptores como anuncio.\n\n' +
        'Tu cuenta: https://app.example.com/account\nTu plan: https://billing.stripe.com/p/login/test\n' +
        'Comparte este enlace para sumar suscriptores: https://app.example.com/libreria-luna',
    );
    expect((await send(PHONE.client, 'HELP')).message).toBe(
      'Reply COMMANDS for help\n\nText STOP to block this number. Anything else you text goes out to your subscribers as an announcement.\n\n' +
        'Your account: https://app.example.com/account\nYour plan: https://billing.stripe.com/p/login/test\n' +
        'Share this link to gain subscribers: https://app.example.com/zed-books',
    );
    expect((await send(PHONE.fan, 'hola')).message).toBe(
      'Tus suscripciones:\n\n1) Librería Luna: escribe STOP 1 para salir\n2) Zed Books: escribe STOP 2 para salir\n\nEscribe STOP ALL para salir de todas.',
    );
    expect((await send(PHONE.stranger, 'hi')).message).toBe(
      'This number does not belong to a Nudges customer. Sign up at https://nudges.tech/',
    );
    // Two renders for the list (template + one per entry, entries concurrently), one per other reply,
    // and for the draft three more: the announcement in each of the two locales (to count its
    // segments) and the segments line, a key the server lacks.
    expect(localization.calls).toBe(callsBefore + 10);
  });

  it('falls back by culture: es-MX gets Spanish, fr-FR gets English', async () => {
    expect((await send(PHONE.mexican, 'Tacos 2x1')).message).toBe(
      'Vas a enviar este anuncio:\n\nTacos 2x1\n\nEscribe SEND para enviarlo o CANCEL para descartarlo.\nCada suscriptor lo recibe como 1 SMS.',
    );
    expect((await send(PHONE.fanMx, 'hola')).message).toBe(
      'Tus suscripciones:\n\n1) Tacos Sol: escribe STOP 1 para salir\n\nEscribe STOP ALL para salir de todas.',
    );
    expect((await send(PHONE.french, 'Soldes')).message).toBe(
      'About to send this announcement:\n\nSoldes\n\nText SEND to send it, or CANCEL to drop it.\nEach subscriber receives it as 1 SMS.',
    );
  });

  // What the fan-out writes to Kafka is covered by test/e2e/broadcast/announcement.e2e-spec.ts; here only the reply.
  it('drafts and broadcasts, answering with the count rendered by the server', async () => {
    const text = `Novedades 📚 ${Date.now()}`;
    await send(PHONE.cliente, text);
    expect((await send(PHONE.cliente, 'CONFIRM')).message).toBe('Enviado a 1 suscriptores');
  });

  it('asks the server for a key it lacks (MessageTooLong), then answers from the embedded catalog', async () => {
    const callsBefore = localization.calls;
    const res = await sendSms(webhooks.url, sms(PHONE.client, 'y'.repeat(1601)));
    expect(res.status).toBe(200);
    expect(res.message).toBe('Your message is too long. The limit is 1600 characters.');
    expect(localization.calls).toBe(callsBefore + 1);
  });

  it('answers from the embedded catalog when the server rejects a request for a placeholder the app does not send', async () => {
    // The server's NoPendingAnnouncement now needs {supportEmail}, which no caller passes: the C#
    // service then fails the call (UNKNOWN, KeyNotFoundException). The user still gets an answer.
    localization.setResource('', 'NoPendingAnnouncement', 'Nothing to send. Questions? {supportEmail}');
    const callsBefore = localization.calls;
    const res = await send(PHONE.client, 'CONFIRM');
    expect(res.status).toBe(200);
    expect(res.message).toBe('You have no announcement to confirm. Text your message first, then reply CONFIRM.');
    expect(localization.calls).toBe(callsBefore + 1);
  });

  it('answers a generic 500 while the LocalizationApi fails, and normally once it is back', async () => {
    const params = sms(PHONE.cliente, 'x'.repeat(1601)); // MessageTooLong in es-ES: not rendered (cached) before
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
