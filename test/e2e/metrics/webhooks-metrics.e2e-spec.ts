// The webhooks app's /metrics against the real stack (Kafka, Redis) and the OIDC + GraphQL gateway
// peers: each kind of request moves exactly its own series of nudges_webhook_requests_total and
// nudges_webhook_processing_seconds.
import { jest } from '@jest/globals';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { uniqueName } from '../../support/stack.js';
import { WEBHOOK_SECRET, productObject, signatureFor, stripeEvent } from '../../support/stripe/stripe-fixtures.js';
import {
  API_KEY,
  AUTH_TOKEN,
  WEBHOOK_PATH,
  sendSms,
  sms,
  startTwilioPeers,
  type TwilioPeers,
} from '../../support/twilio/twilio-support.js';
import { scrape, type Scrape } from '../../support/metrics/scrape.js';

const CLIENT_PHONE = '+15550007001';
const STRANGER_PHONE = '+15550007999';
const REQUESTS = 'nudges_webhook_requests_total';
const SECONDS = 'nudges_webhook_processing_seconds';

jest.setTimeout(60_000);

describe('webhooks /metrics', () => {
  let peers: TwilioPeers;
  let webhooks: RunningWebhooks;
  const metrics = () => scrape(`${webhooks.internalUrl}/metrics`);
  const stripeUrl = (key = API_KEY) => `${webhooks.url}/api/StripeWebhookHandler?code=${key}`;

  beforeAll(async () => {
    peers = await startTwilioPeers('metrics-webhooks');
    peers.gateway.store.addClient({ name: 'Metrics Café', slug: 'metrics-cafe', phoneNumber: CLIENT_PHONE, locale: 'en-US' });
    const base = uniqueName('metrics-webhooks');
    webhooks = await startWebhooksApp({
      ...peers.env,
      // The keys the Stripe and Twilio test helpers sign and call with.
      WEBHOOKS_API_KEY: API_KEY,
      STRIPE_WEBHOOKS_SECRET: WEBHOOK_SECRET,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      KAFKA_TOPIC_PAYMENTS: `${base}-payments`,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: `${base}-foreign-products`,
      KAFKA_TOPIC_DEADLETTER: `${base}-deadletter`,
      KAFKA_TOPIC_PARTITIONS: '1',
    });
  });

  afterAll(async () => {
    await webhooks?.stop();
    await peers?.stop();
  });

  async function postStripe(event: object | string, options: { url?: string; contentType?: string; signature?: string } = {}) {
    const body = typeof event === 'string' ? event : JSON.stringify(event);
    const res = await fetch(options.url ?? stripeUrl(), {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/json', 'stripe-signature': options.signature ?? signatureFor(body) },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  /** Asserts the request counter and the histogram's count moved by exactly `n` for these labels. */
  function expectCounted(before: Scrape, after: Scrape, labels: Record<string, string>, n = 1) {
    expect({ labels, requests: after.delta(before, REQUESTS, labels), observed: after.delta(before, `${SECONDS}_count`, labels) }).toEqual({
      labels,
      requests: n,
      observed: n,
    });
  }

  it('serves Prometheus text without the API key, with the default process metrics', async () => {
    const page = await metrics();
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(page.value('nudges_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(page.value('nudges_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(page.text).toContain(`# TYPE ${REQUESTS} counter`);
    expect(page.text).toContain(`# TYPE ${SECONDS} histogram`);
  });

  it('counts a Stripe event as processed, its redelivery as duplicate, an unhandled type as other/ignored', async () => {
    const before = await metrics();
    const created = stripeEvent('product.created', productObject({ name: 'Metrics Starter' }));
    expect(await postStripe(created)).toMatchObject({ status: 200, body: '{"received":true,"outcome":"processed"}' });
    expect(await postStripe(created)).toMatchObject({ status: 200, body: '{"received":true,"outcome":"duplicate"}' });
    expect(await postStripe(stripeEvent('customer.created', { id: 'cus_metrics', object: 'customer' }))).toMatchObject({
      status: 200,
      body: '{"received":true,"outcome":"ignored"}',
    });
    const after = await metrics();
    const processed = { endpoint: 'stripe', type: 'product.created', outcome: 'processed' };
    expectCounted(before, after, processed);
    expectCounted(before, after, { endpoint: 'stripe', type: 'product.created', outcome: 'duplicate' });
    expectCounted(before, after, { endpoint: 'stripe', type: 'other', outcome: 'ignored' });
    expect(after.value(`${SECONDS}_bucket`, { ...processed, le: '+Inf' })).toBe(1);
    expect(after.value(`${SECONDS}_sum`, processed)).toBeGreaterThan(0);
    // The event type of an unhandled event never becomes a label.
    expect(after.text).not.toContain('customer.created');
  });

  it('counts an SMS command by name, and a replayed MessageSid as duplicate', async () => {
    const before = await metrics();
    const help = sms(CLIENT_PHONE, 'HELP');
    const first = await sendSms(webhooks.url, help);
    expect(first.status).toBe(200);
    expect(first.message).toContain('Account: https://app.example.com/account');
    expect((await sendSms(webhooks.url, help)).body).toBe(first.body);
    // Any other text goes to the draft command (a client's announcement draft, or "not a customer").
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'Fresh bread at 7'))).message).not.toBeNull();
    expect((await sendSms(webhooks.url, sms(STRANGER_PHONE, 'what is this?'))).message).not.toBeNull();
    expect((await sendSms(webhooks.url, sms(STRANGER_PHONE, '   '))).message).toBeNull();
    const after = await metrics();
    expectCounted(before, after, { endpoint: 'twilio', type: 'help', outcome: 'replied' });
    expectCounted(before, after, { endpoint: 'twilio', type: 'none', outcome: 'duplicate' });
    expectCounted(before, after, { endpoint: 'twilio', type: 'draft', outcome: 'replied' }, 2);
    expectCounted(before, after, { endpoint: 'twilio', type: 'empty', outcome: 'silent' });
    expectCounted(before, after, { endpoint: 'twilio', type: 'confirm', outcome: 'replied' }, 0);
  });

  it('counts requests refused by the guard, the body checks and the signature checks, with type "none"', async () => {
    const before = await metrics();
    const event = stripeEvent('product.created', productObject());
    expect((await postStripe(event, { url: stripeUrl('wrong-key') })).status).toBe(401);
    expect((await postStripe(event, { contentType: 'text/plain' })).status).toBe(415);
    expect((await postStripe(event, { signature: 't=1,v1=00' })).status).toBe(400);
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { path: '/api/TwilioWebhookHandler?code=wrong-key' })).status).toBe(401);
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'x'.repeat(70_000)))).status).toBe(413);
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signature: 'forged' })).status).toBe(403);
    const after = await metrics();
    expectCounted(before, after, { endpoint: 'stripe', type: 'none', outcome: 'unauthorized' });
    expectCounted(before, after, { endpoint: 'stripe', type: 'none', outcome: 'unsupported_media_type' });
    expectCounted(before, after, { endpoint: 'stripe', type: 'none', outcome: 'bad_request' });
    expectCounted(before, after, { endpoint: 'twilio', type: 'none', outcome: 'unauthorized' });
    expectCounted(before, after, { endpoint: 'twilio', type: 'none', outcome: 'too_large' });
    expectCounted(before, after, { endpoint: 'twilio', type: 'none', outcome: 'forbidden' });
    expect(after.delta(before, REQUESTS, { endpoint: 'stripe', type: 'product.created', outcome: 'processed' })).toBe(0);
  });

  it('shows no secret, phone number or path of a request in any label', async () => {
    const page = await metrics();
    for (const secret of [
      API_KEY,
      WEBHOOK_SECRET,
      AUTH_TOKEN,
      CLIENT_PHONE,
      CLIENT_PHONE.slice(2),
      STRANGER_PHONE.slice(2),
      'wrong-key',
      WEBHOOK_PATH,
    ]) {
      expect(page.text).not.toContain(secret);
    }
    const types = new Set(page.samples.filter((s) => s.name === REQUESTS).map((s) => s.labels.type));
    expect([...types].sort()).toEqual(['draft', 'empty', 'help', 'none', 'other', 'product.created']);
  });
});
