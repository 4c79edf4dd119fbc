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
});
