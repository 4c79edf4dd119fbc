import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { startTwilioSink, type TwilioSink } from './twilio-sink.js';

const ACCOUNT = `AC${'3'.repeat(32)}`;
const SERVICE = `MG${'4'.repeat(32)}`;

describe('Twilio sink', () => {
  let sink: TwilioSink;
  beforeAll(async () => (sink = await startTwilioSink({ accountSid: ACCOUNT, authToken: 'tok' })));
  afterAll(() => sink.stop());
  beforeEach(() => sink.reset());

  // The official client with its own (axios) HTTP client, pointed at the sink.
  const client = (token = 'tok') => {
    const httpClient = new twilio.RequestClient();
    const request = httpClient.request.bind(httpClient);
    httpClient.request = (opts) => request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', sink.url) });
    return twilio(ACCOUNT, token, { httpClient });
  };

  it('creates and lists messages in the shape the official client reads', async () => {
    const created = await client().messages.create({ to: '+15555550100', messagingServiceSid: SERVICE, body: 'Hello' });
    expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(created.status).toBe('accepted');
    expect(created.dateCreated).toBeInstanceOf(Date);
    const listed = await client().messages.list({ to: '+15555550100', limit: 10 });
    expect(listed.map((m) => m.sid)).toEqual([created.sid]);
    expect(await client().messages.list({ to: '+15555550199', limit: 10 })).toEqual([]);
  });

  it('requires Basic auth for the account and a sender', async () => {
    await expect(client('wrong').messages.create({ to: '+15555550100', messagingServiceSid: SERVICE, body: 'x' })).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    const noSender = await fetch(`${sink.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT}:tok`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'To=%2B15555550100&Body=x',
    });
    expect(noSender.status).toBe(400);
    expect(sink.messages).toHaveLength(0);
  });

  it('applies failure rules the given number of times and records every attempt', async () => {
    sink.addRule({ to: '+15555550101', times: 1, action: { status: 429, code: 20429, retryAfterSeconds: 1 } });
    const send = () => client().messages.create({ to: '+15555550101', messagingServiceSid: SERVICE, body: 'x' });
    await expect(send()).rejects.toMatchObject({ status: 429, code: 20429 });
    await expect(send()).resolves.toMatchObject({ to: '+15555550101' });
    expect(sink.attempts.map((a) => a.status)).toEqual([429, 201]);
    expect(sink.countByTo().get('+15555550101')).toBe(1);
  });

  it('answers late and lists the message only after listedAfterMs when a rule says so', async () => {
    const to = '+15555550104';
    sink.addRule({ to, times: 1, action: { delayMs: 400, listedAfterMs: 200 } });
    const created = client().messages.create({ to, messagingServiceSid: SERVICE, body: 'late' });
    await sink.waitFor(() => sink.messages.length === 1, 2000, 'the late message recorded');
    const receivedAt = sink.messages[0]!.receivedAt;
    expect(await client().messages.list({ to, limit: 10 })).toEqual([]);
    let listed: string[] = [];
    for (const deadline = Date.now() + 2000; listed.length === 0 && Date.now() < deadline;)
      listed = (await client().messages.list({ to, limit: 10 })).map((m) => m.sid);
    expect(Date.now() - receivedAt).toBeGreaterThanOrEqual(200);
    const answer = await created;
    expect(Date.now() - receivedAt).toBeGreaterThanOrEqual(400);
    expect(listed).toEqual([answer.sid]);
  });

  it('serves counters and takes rules over its control endpoints', async () => {
    await fetch(`${sink.url}/_sink/rules`, {
      method: 'POST',
      body: JSON.stringify([{ to: '+15555550102', action: { status: 400, code: 21211 } }]),
    });
    await expect(client().messages.create({ to: '+15555550102', messagingServiceSid: SERVICE, body: 'x' })).rejects.toMatchObject({
      code: 21211,
    });
    await client().messages.create({ to: '+15555550103', messagingServiceSid: SERVICE, body: 'x' });
    await client().messages.create({ to: '+15555550103', messagingServiceSid: SERVICE, body: 'x' });
    const stats = (await (await fetch(`${sink.url}/_sink/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ accepted: 2, attempts: 3, duplicates: 1 });
    await fetch(`${sink.url}/_sink/reset`, { method: 'POST' });
    expect(sink.messages).toHaveLength(0);
  });

  describe('status callbacks', () => {
    let receiver: Server;
    let callbackUrl: string;
    const received: { params: URLSearchParams; valid: boolean; url: string }[] = [];
    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let text = '';
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => {
          const params = new URLSearchParams(text);
          const url = `${callbackUrl.split('/cb')[0]}${req.url}`;
          const valid = twilio.validateRequest('tok', String(req.headers['x-twilio-signature']), url, Object.fromEntries(params));
          received.push({ params, valid, url });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb?code=k&broadcast=b1`;
    });
    afterAll(() => new Promise((r) => receiver.close(r)));
    beforeEach(() => void received.splice(0));

    const create = (to: string, extra: Record<string, unknown> = {}) =>
      client().messages.create({ to, messagingServiceSid: SERVICE, body: 'x', statusCallback: callbackUrl, ...extra });

    it('posts sent, then the final status, signed over the URL (query included) and the parameters', async () => {
      const message = await create('+15555550110');
      await sink.waitFor(() => sink.callbacks.length === 2, 2000, 'two callbacks');
      expect(received.map((r) => r.params.get('MessageStatus'))).toEqual(['sent', 'delivered']);
      expect(received.every((r) => r.valid && r.url === callbackUrl)).toBe(true);
      expect(Object.fromEntries(received[1]!.params)).toMatchObject({
        MessageSid: message.sid,
        SmsSid: message.sid,
        SmsStatus: 'delivered',
        To: '+15555550110',
        MessagingServiceSid: SERVICE,
        AccountSid: ACCOUNT,
        ApiVersion: '2010-04-01',
        RawDlrDoneDate: expect.stringMatching(/^\d{10}$/),
      });
      expect(sink.callbacks.map((c) => c.answered)).toEqual([204, 204]);
      expect((await client().messages.list({ to: '+15555550110', limit: 1 }))[0]!.status).toBe('delivered');
    });

    it('reports an undelivered message with its error code, repeatedly and out of order when a rule says so', async () => {
      sink.addReceiptRule({ to: '+15555550111', receipt: { status: 'undelivered', errorCode: 30007, repeat: 2, finalFirst: true } });
      await create('+15555550111');
      await sink.waitFor(() => sink.callbacks.length === 3, 2000, 'three callbacks');
      expect(received.map((r) => [r.params.get('MessageStatus'), r.params.get('ErrorCode')])).toEqual([
        ['undelivered', '30007'],
        ['undelivered', '30007'],
        ['sent', null],
      ]);
    });

    it('fails a message that waits in the queue longer than its ValidityPeriod (30036), without sending it', async () => {
      sink.addReceiptRule({ receipt: { queuedMs: 1500 } });
      await create('+15555550112', { validityPeriod: 1 });
      await sink.waitFor(() => sink.callbacks.length === 1, 3000, 'the expiry callback');
      expect(Object.fromEntries(received[0]!.params)).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30036' });
    });

    it('refuses a StatusCallback that is no URL (21609) and a ValidityPeriod that is no integer, as Twilio’s spec says', async () => {
      await expect(create('+15555550113', { statusCallback: 'not a url' })).rejects.toMatchObject({ status: 400, code: 21609 });
      await expect(create('+15555550113', { statusCallback: 'https://my_host.example.com/cb' })).rejects.toMatchObject({ code: 21609 });
      await expect(create('+15555550113', { validityPeriod: 'soon' })).rejects.toMatchObject({ status: 400 });
      expect(sink.messages).toHaveLength(0);
    });
  });
});
