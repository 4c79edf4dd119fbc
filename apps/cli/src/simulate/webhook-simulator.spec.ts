import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import twilio from 'twilio';
import { CapturedOutput } from '../cli-output.js';
import type { SimulateConfig } from '../cli.env.js';
import { CliUsageError } from '../cli.errors.js';
import { simulatedStripeEvent, WebhookSimulator, WebhooksUnreachableError } from './webhook-simulator.js';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server standing in for the webhooks service: records each request, answers 200. */
async function recordingServer(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok +15555550100');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

describe('WebhookSimulator', () => {
  let peer: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    peer = await recordingServer();
  });
  afterAll(() => new Promise<void>((resolve) => peer.server.close(() => resolve())));

  const config = (extra: Partial<SimulateConfig> = {}): SimulateConfig => ({
    webhooksUrl: peer.url,
    apiKey: 'k&y',
    stripeWebhooksSecret: 'whsec_unit',
    twilioAuthToken: 'twilio-token',
    twilioAccountSid: 'AC00000000000000000000000000000000',
    ...extra,
  });

  it('posts a Stripe event that Stripe’s own verification accepts, and prints the answer', async () => {
    const out = new CapturedOutput();
    const code = await new WebhookSimulator(config(), out).stripe('product.created', { product: 'prod_X', name: 'Pro' });
    const request = peer.received.at(-1)!;
    expect(code).toBe(0);
    expect(request.url).toBe('/api/StripeWebhookHandler?code=k%26y');
    const event = new Stripe('sk_test').webhooks.constructEvent(request.body, String(request.headers['stripe-signature']), 'whsec_unit');
    expect(event).toMatchObject({ type: 'product.created', data: { object: { id: 'prod_X', name: 'Pro', object: 'product' } } });
    expect(out.lines[0]).toBe(`→ POST /api/StripeWebhookHandler  product.created ${event.id}`);
    expect(out.lines[1]).toBe('← 200 ok +*******0100');
    expect(out.text).not.toContain('k&y');
  });

  it.each([
    ['the service URL', undefined],
    ['TWILIO_WEBHOOK_PUBLIC_URL', 'https://hooks.example.com/edge'],
  ])('signs an SMS over %s plus path and query, as the service checks it', async (_, publicUrl) => {
    const out = new CapturedOutput();
    const code = await new WebhookSimulator(config(publicUrl ? { twilioPublicUrl: publicUrl } : {}), out).sms('Big sale tomorrow!', {
      from: '+15555550100',
    });
    const request = peer.received.at(-1)!;
    const params = Object.fromEntries(new URLSearchParams(request.body));
    expect(code).toBe(0);
    expect(params).toMatchObject({
      From: '+15555550100',
      Body: 'Big sale tomorrow!',
      To: '+15555559999',
      AccountSid: 'AC00000000000000000000000000000000',
    });
    expect(params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    const signedUrl = `${publicUrl ?? peer.url}${request.url}`;
    expect(twilio.validateRequest('twilio-token', String(request.headers['x-twilio-signature']), signedUrl, params)).toBe(true);
    expect(out.lines[0]).toContain('SMS from +*******0100');
  });

  it('says so when the service does not answer', async () => {
    const simulator = new WebhookSimulator(config({ webhooksUrl: 'http://127.0.0.1:1' }), new CapturedOutput());
    await expect(simulator.stripe('checkout')).rejects.toThrow(WebhooksUnreachableError);
  });

  it('builds each event type with the options applied', () => {
    expect(simulatedStripeEvent('checkout', { customer: 'cus_1', amount: 3499 })).toMatchObject({
      type: 'checkout.session.completed',
      data: { object: { customer: 'cus_1', amount_total: 3499, payment_status: 'paid' } },
    });
    expect(simulatedStripeEvent('price.updated', { price: 'price_1', product: 'prod_1', amount: 500, nickname: 'Monthly' })).toMatchObject({
      type: 'price.updated',
      data: {
        object: { id: 'price_1', product: 'prod_1', unit_amount: 500, unit_amount_decimal: '500', nickname: 'Monthly', active: true },
      },
    });
    expect(simulatedStripeEvent('product.deleted', { product: 'prod_1' }).data.object).toMatchObject({ id: 'prod_1', active: false });
    expect(simulatedStripeEvent('price.deleted').data.object).toMatchObject({ active: false });
    expect(simulatedStripeEvent('product.updated', { metadata: { planId: '2' }, eventId: 'evt_fixed' })).toMatchObject({
      id: 'evt_fixed',
      data: { object: { metadata: { planId: '2' } } },
    });
    expect(() => simulatedStripeEvent('invoice.paid')).toThrow(CliUsageError);
  });
});
