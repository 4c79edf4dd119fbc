import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTwilioSink, type TwilioSink } from '../../../../peers/twilio-sink/twilio-sink.js';
import { SmsSendError } from './sms-notifier.js';
import { TwilioApiError, TwilioTransportError, retryAfterMs } from './twilio-http-client.js';
import { TwilioNotifier, classifyTwilioError } from './twilio.notifier.js';

const ACCOUNT = `AC${'1'.repeat(32)}`;
const SERVICE = `MG${'2'.repeat(32)}`;
const config = (apiUrl: string, extra: Partial<ConstructorParameters<typeof TwilioNotifier>[0]> = {}) => ({
  accountSid: ACCOUNT,
  authToken: 'token',
  messagingServiceSid: SERVICE,
  apiUrl,
  timeoutMs: 2000,
  maxSockets: 4,
  reconcile: true,
  ...extra,
});

describe('classifyTwilioError', () => {
  const api = (status: number, code?: number, retryAfter?: number) => new TwilioApiError(status, code, 'x', retryAfter, undefined);

  it.each([
    [api(429, 20429, 2000), 'transient', false],
    [api(503), 'transient', true],
    [api(500, 20500), 'transient', true],
    [api(401, 20003), 'transient', true],
    [api(400, 21211), 'permanent', undefined],
    [api(400, 21610), 'permanent', undefined],
    [api(400, 21408), 'permanent', undefined],
    [api(404), 'permanent', undefined],
    [new TwilioTransportError('timeout', true), 'ambiguous', true],
    [new TwilioTransportError('refused', false), 'transient', true],
    [new Error('Required parameter "params[\'to\']" missing.'), 'permanent', undefined],
  ] as const)('%s → %s', (error, kind, outage) => {
    const classified = classifyTwilioError(error);
    expect(classified).toBeInstanceOf(SmsSendError);
    expect(classified.kind).toBe(kind);
    expect(classified.details.countsAsOutage).toBe(outage);
  });

  it('keeps the status, error code and Retry-After', () => {
    expect(classifyTwilioError(api(429, 20429, 3000)).details).toMatchObject({ status: 429, code: 20429, retryAfterMs: 3000 });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('TwilioNotifier with the official client', () => {
  let sink: TwilioSink;
  beforeAll(async () => (sink = await startTwilioSink({ accountSid: ACCOUNT, authToken: 'token' })));
  afterAll(() => sink.stop());
  beforeEach(() => sink.reset());

  it('creates the message through the Messaging Service and returns its SID', async () => {
    const notifier = new TwilioNotifier(config(sink.url));
    try {
      const sent = await notifier.send({ to: '+15555550100', body: 'Hola ¡' });
      expect(sent.id).toMatch(/^SM[0-9a-f]{32}$/);
      expect(sink.messages).toEqual([
        expect.objectContaining({ to: '+15555550100', body: 'Hola ¡', messagingServiceSid: SERVICE, sid: sent.id }),
      ]);
    } finally {
      notifier.close();
    }
  });

  it('reports 429 with its Retry-After, and permanent errors with their code', async () => {
    const notifier = new TwilioNotifier(config(sink.url));
    sink.addRule({ to: '+15555550101', times: 1, action: { status: 429, code: 20429, retryAfterSeconds: 3 } });
    sink.addRule({ to: '+15555550102', action: { status: 400, code: 21211 } });
    try {
      await expect(notifier.send({ to: '+15555550101', body: 'x' })).rejects.toMatchObject({
        kind: 'transient',
        details: { status: 429, code: 20429, retryAfterMs: 3000 },
      });
      await expect(notifier.send({ to: '+15555550102', body: 'x' })).rejects.toMatchObject({
        kind: 'permanent',
        details: { status: 400, code: 21211 },
      });
    } finally {
      notifier.close();
    }
  });

  it('calls a dropped answer ambiguous, and finds that message in the log afterwards', async () => {
    const notifier = new TwilioNotifier(config(sink.url));
    sink.addRule({ to: '+15555550103', times: 1, action: { acceptThenDrop: true } });
    const since = Date.now();
    try {
      await expect(notifier.send({ to: '+15555550103', body: 'code 1' })).rejects.toMatchObject({ kind: 'ambiguous' });
      const found = await notifier.findEarlierSend({ to: '+15555550103', body: 'code 1' }, since, async () => new Set());
      expect(found?.id).toBe(sink.messages[0]!.sid);
      // A message recorded for another event is not ours.
      const taken = await notifier.findEarlierSend({ to: '+15555550103', body: 'code 1' }, since, async (ids) => new Set(ids));
      expect(taken).toBeUndefined();
      expect(await notifier.findEarlierSend({ to: '+15555550103', body: 'code 2' }, since, async () => new Set())).toBeUndefined();
    } finally {
      notifier.close();
    }
  });

  it('finds its message in the log after the Messaging Service rewrote the body (Smart Encoding, Link Shortening)', async () => {
    sink.setMessagingService({ smartEncoding: true, linkShorteningDomain: 'https://go.acme.example' });
    const notifier = new TwilioNotifier(config(sink.url));
    const to = '+15555550105';
    const body = 'Acme says: “Two-for-one” — today only…\nhttps://app.example.com/acme-cafe?utm_source=sms';
    const since = Date.now();
    try {
      // Created the way a request with ShortenUrls=true is (the notifier itself does not ask for it).
      const created = await fetch(`${sink.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT}:token`).toString('base64')}` },
        body: new URLSearchParams({ To: to, MessagingServiceSid: SERVICE, Body: body, ShortenUrls: 'true' }),
      });
      expect(created.status).toBe(201);
      const stored = sink.messages[0]!.body;
      expect(stored).toMatch(/^Acme says: "Two-for-one" - today only\.\.\.\nhttps:\/\/go\.acme\.example\/[A-Za-z0-9]{10}$/);
      expect(await notifier.findEarlierSend({ to, body }, since, async () => new Set())).toEqual({ id: sink.messages[0]!.sid });
      expect(await notifier.findEarlierSend({ to, body: body.replace('Two', 'Three') }, since, async () => new Set())).toBeUndefined();
      // Another Messaging Service's message with the same text is not ours.
      const foreign = new TwilioNotifier(config(sink.url, { messagingServiceSid: `MG${'5'.repeat(32)}` }));
      expect(await foreign.findEarlierSend({ to, body }, since, async () => new Set())).toBeUndefined();
      foreign.close();
      // Created before the attempt began (beyond the clock margin): not the attempt's.
      expect(await notifier.findEarlierSend({ to, body }, since + 61_000 + 1000, async () => new Set())).toBeUndefined();
    } finally {
      sink.setMessagingService({});
      notifier.close();
    }
  });

  it('calls a timeout ambiguous and a refused connection transient', async () => {
    const silent: Server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const slow = new TwilioNotifier(config(`http://127.0.0.1:${port}`, { timeoutMs: 200 }));
    try {
      await expect(slow.send({ to: '+15555550104', body: 'x' })).rejects.toMatchObject({ kind: 'ambiguous' });
    } finally {
      slow.close();
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    const refused = new TwilioNotifier(config(`http://127.0.0.1:${port}`));
    try {
      await expect(refused.send({ to: '+15555550104', body: 'x' })).rejects.toMatchObject({ kind: 'transient' });
    } finally {
      refused.close();
    }
  });
});
