import { API_KEY, deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { nowSeconds, priceObject, signatureFor, stripeEvent } from '../../support/stripe/stripe-fixtures.js';

const NO_INTERNALS = /\bat\s+\S+\s+\(|Error:|node_modules|whsec_|stack/i;

describe('Stripe webhook endpoint: refused input', () => {
  let h: StripeHarness;
  let url: string;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-input');
    url = `${h.webhooks.url}/api/StripeWebhookHandler`;
  });
  afterAll(() => h.stop());

  const signedPriceUpdate = () => {
    const body = JSON.stringify(stripeEvent('price.updated', priceObject()));
    return { body, signature: signatureFor(body) };
  };

  async function post(
    query: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; contentType: string | null }> {
    const res = await fetch(`${url}${query}`, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
  }

  const expectRefused = (res: { status: number; text: string }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.text.length).toBeLessThan(80);
    expect(res.text).not.toMatch(NO_INTERNALS);
  };

  it.each([
    ['a missing key', ''],
    ['a wrong key', '?code=wrong-key'],
    ['an empty key', '?code='],
  ])('answers 401 to %s, before reading the body and without touching the gateway', async (_, query) => {
    const { body, signature } = signedPriceUpdate();
    const before = h.gateway.requestCount();
    const res = await post(query, body, { 'content-type': 'application/json', 'stripe-signature': signature });
    expectRefused(res, 401);
    expect(h.gateway.requestCount()).toBe(before);
  });

  it('answers 400 to a missing Stripe-Signature', async () => {
    const { body } = signedPriceUpdate();
    const res = await post(`?code=${API_KEY}`, body, { 'content-type': 'application/json' });
    expectRefused(res, 400);
    expect(res.text).toBe('Missing Stripe-Signature header');
  });

  it.each([
    ['garbage', () => 'not-a-signature'],
    ['a signature with another secret', (body: string) => signatureFor(body, { secret: 'whsec_someone_else' })],
    ['a signature of other bytes', (body: string) => signatureFor(`${body} `)],
  ])('answers 400 to %s', async (_, sign) => {
    const { body } = signedPriceUpdate();
    const res = await post(`?code=${API_KEY}`, body, { 'content-type': 'application/json', 'stripe-signature': sign(body) });
    expectRefused(res, 400);
    expect(res.text).toBe('Invalid Stripe signature');
  });

  it.each([
    ['older than 300 s', -301],
    ['more than 300 s ahead', 301],
  ])('answers 400 to a signature timestamp %s', async (_, offset) => {
    const body = JSON.stringify(stripeEvent('price.updated', priceObject()));
    const signature = signatureFor(body, { timestamp: nowSeconds() + offset });
    const res = await post(`?code=${API_KEY}`, body, { 'content-type': 'application/json', 'stripe-signature': signature });
    expectRefused(res, 400);
    expect(res.text).toBe('Invalid Stripe signature');
  });

  it('accepts a timestamp inside the tolerance', async () => {
    const body = JSON.stringify(stripeEvent('customer.created', { id: 'cus_x', object: 'customer' }));
    const signature = signatureFor(body, { timestamp: nowSeconds() - 240 });
    const res = await post(`?code=${API_KEY}`, body, { 'content-type': 'application/json', 'stripe-signature': signature });
    expect(res.status).toBe(200);
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2,3]'],
    ['JSON that is not an event', '{"id":"cus_123","object":"customer"}'],
    ['an event without data.object', JSON.stringify({ ...stripeEvent('price.updated', priceObject()), data: {} })],
    ['an event with a malformed id', JSON.stringify({ ...stripeEvent('price.updated', priceObject()), id: 'not-an-event-id' })],
  ])('answers 400 to a correctly signed body that is %s', async (_, body) => {
    const res = await post(`?code=${API_KEY}`, body, { 'content-type': 'application/json', 'stripe-signature': signatureFor(body) });
    expectRefused(res, 400);
    expect(res.text).toBe('Body is not a Stripe event');
  });

  it('answers 413 to a body over 1 MB', async () => {
    const big = ' '.repeat(1024 * 1024 + 1);
    const res = await post(`?code=${API_KEY}`, big, { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' });
    expectRefused(res, 413);
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded']])('answers 415 to content type %s', async (contentType) => {
    const { body, signature } = signedPriceUpdate();
    const res = await post(`?code=${API_KEY}`, body, { 'content-type': contentType, 'stripe-signature': signature });
    expectRefused(res, 415);
  });

  it('acknowledges an event type it does not handle with 200 and does nothing', async () => {
    const before = h.gateway.requestCount();
    const res = await deliver(h.endpoint, stripeEvent('invoice.paid', { id: 'in_1ABC', object: 'invoice' }));
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('ignored');
    expect(h.gateway.requestCount()).toBe(before);
  });
});
