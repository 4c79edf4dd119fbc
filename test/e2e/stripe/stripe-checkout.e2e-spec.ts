import Stripe from 'stripe';
import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { readLikeCSharpOrThrow } from '../../support/csharp/strict-reader.js';
import { stackEnv } from '../../support/stack.js';
import { graphqlOperation } from '../../support/stripe/fault-proxy.js';
import { deliver, outcomeOf, startStripeHarness, type StripeHarness } from '../../support/stripe/stripe-harness.js';
import { checkoutSessionObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';

const MERCHANT_SERVICE_ID = 3;

describe('Stripe checkout.session.completed: payment confirmation, plan subscription, payment.completed', () => {
  let h: StripeHarness;
  /** The price id stripe-mock returns for every session's line items (its fixture). */
  let purchasedPriceId: string;

  beforeAll(async () => {
    h = await startStripeHarness('stripe-checkout', { gatewayProxy: true, env: { MERCHANT_SERVICE_ID: String(MERCHANT_SERVICE_ID) } });
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    const items = await stripe.checkout.sessions.listLineItems('cs_test_probe');
    purchasedPriceId = items.data[0]?.price?.id ?? '';
    expect(purchasedPriceId).toMatch(/^price_/);
    const plan = h.gateway.store.addPlan({ name: 'Nudges Pro', foreignServiceId: stripeId('prod') });
    h.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 10, foreignServiceId: purchasedPriceId });
  });
  afterAll(() => h.stop());

  /** A client with a Stripe customer id and a checkout event of that customer with a fresh invoice. */
  function checkout(overrides: Parameters<typeof checkoutSessionObject>[0] = {}) {
    const customerId = stripeId('cus');
    const client = h.gateway.store.addClient({ name: `Client ${customerId}`, customerId });
    const session = checkoutSessionObject({ customer: customerId, ...overrides });
    return { client, session, invoiceId: session.invoice as string, event: stripeEvent('checkout.session.completed', session) };
  }

  const mutationsOf = (field: string, invoiceOrClient: string) =>
    h.gateway.mutations.filter((m) => m.field === field && Object.values(m.input).includes(invoiceOrClient));
  const paymentMessages = (confirmationId: string) => h.kafka.read(h.topics.payments, (m) => m.value?.includes(confirmationId) ?? false);

  async function expectCompletedOnce(clientId: string, invoiceId: string) {
    const confirmation = h.gateway.store.paymentConfirmationByCode(invoiceId);
    expect(confirmation).toMatchObject({ confirmationCode: invoiceId, merchantServiceId: MERCHANT_SERVICE_ID });
    const confirmationId = confirmation?.id ?? '';
    expect(mutationsOf('createPaymentConfirmation', invoiceId)).toHaveLength(1);
    expect(mutationsOf('createPlanSubscription', clientId).filter((m) => m.outcome === 'applied')).toHaveLength(1);
    expect(h.gateway.store.planSubscriptionsByPaymentConfirmation(confirmationId)).toEqual([
      expect.objectContaining({ clientId, paymentConfirmationId: confirmationId }),
    ]);
    const [message] = await h.kafka.waitFor(h.topics.payments, (m) => m.value?.includes(confirmationId) ?? false);
    const nodeId = encodeNodeId('PaymentConfirmation', confirmationId);
    expect(message?.key).toBe(`{"EventType":"PaymentCompleted","EventKey":"${nodeId}"}`);
    expect(message?.value).toBe(
      `{"$type":"payment.completed","ClientId":"${clientId}","PriceForeignServiceId":"${purchasedPriceId}","PaymentConfirmationId":"${confirmationId}"}`,
    );
    // What the C# payments handler binds from those bytes:
    expect(readLikeCSharpOrThrow('PaymentKey', message!.key!)).toEqual({ EventType: 'PaymentCompleted', EventKey: nodeId });
    expect(readLikeCSharpOrThrow('PaymentEvent', message!.value!)).toEqual({
      $type: 'payment.completed',
      ClientId: clientId,
      PriceForeignServiceId: purchasedPriceId,
      PaymentConfirmationId: confirmationId,
    });
    expect(paymentMessages(confirmationId)).toHaveLength(1);
  }

  it('records the payment (confirmation code = invoice id), subscribes the client to the purchased price and publishes payment.completed', async () => {
    const { client, invoiceId, event } = checkout();
    const res = await deliver(h.endpoint, event);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('processed');
    expect(h.gateway.store.clients.get(client.id)?.subscriptionId).not.toBeNull();
    await expectCompletedOnce(client.id, invoiceId);
  });

  it('reads the invoice and customer from the Stripe API when the event lacks them', async () => {
    // stripe-mock answers the session with its fixture invoice, whose customer is the fixture customer.
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    const current = await stripe.checkout.sessions.retrieve('cs_test_probe', { expand: ['invoice'] });
    const invoice = current.invoice as Stripe.Invoice;
    const client = h.gateway.store.addClient({ name: 'Fixture customer', customerId: invoice.customer as string });
    const event = stripeEvent('checkout.session.completed', checkoutSessionObject({ customer: null, invoice: null }));
    const res = await deliver(h.endpoint, event);
    expect(outcomeOf(res)).toBe('processed');
    await expectCompletedOnce(client.id, invoice.id);
  });

  it('answers a duplicate delivery 200 without any effect', async () => {
    const { client, invoiceId, event } = checkout();
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    const mutations = h.gateway.mutations.length;
    const messages = await h.kafka.count(h.topics.payments);
    const again = await deliver(h.endpoint, event);
    expect(again.status).toBe(200);
    expect(outcomeOf(again)).toBe('duplicate');
    expect(h.gateway.mutations.length).toBe(mutations);
    expect(await h.kafka.count(h.topics.payments)).toBe(messages);
    await expectCompletedOnce(client.id, invoiceId);
  });

  it('lets exactly one of several concurrent deliveries of the same event act', async () => {
    const { client, invoiceId, event } = checkout();
    h.gateway.failNext(1, 'slow'); // the first gateway call takes 400 ms, so the deliveries overlap
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(h.endpoint, event)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(answers.filter((a) => a.status === 200 && outcomeOf(a) === 'processed')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body === 'Event is being processed')).toBe(true);
    await expectCompletedOnce(client.id, invoiceId);
  });

  it('dead-letters the event when no client has the customer id (200, stripe.client-not-found, event bytes kept)', async () => {
    const session = checkoutSessionObject({ customer: stripeId('cus') });
    const event = stripeEvent('checkout.session.completed', session);
    const body = JSON.stringify(event);
    const before = h.gateway.mutations.length;
    const res = await deliver(h.endpoint, body);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('deadlettered');
    expect(h.gateway.mutations.length).toBe(before);
    const [record] = await h.kafka.waitFor(h.topics.deadletter, (m) => m.value?.includes(event.id) ?? false);
    expect(record?.value?.startsWith('{"ExceptionType":"stripe.client-not-found",')).toBe(true);
    const decoded = decodeDeadLetter(record?.value ?? '');
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.value).toMatchObject({
      topic: 'http:StripeWebhookHandler',
      edge: {
        source: 'webhooks',
        reasonCode: 'stripe.client-not-found',
        stripeEventId: event.id,
        stripeEventType: 'checkout.session.completed',
        original: { key: null, value: { encoding: 'utf8', data: body } },
      },
    });
    expect(decoded.value.exceptionMessage).toContain(session.customer as string);
    expect(record?.key).toMatch(new RegExp(`^\\{"EventKey":\\{"Type":"MessageFailed","Id":"${decoded.value.eventKey.id}"\\},"FailedKey":`));
  });

  it('answers 500 while the gateway answers 503, and the redelivery succeeds', async () => {
    const { client, invoiceId, event } = checkout();
    h.gateway.failNext(1, 'http503');
    const failed = await deliver(h.endpoint, event);
    expect(failed.status).toBe(500);
    expect(failed.body).toBe('Internal Server Error');
    const retried = await deliver(h.endpoint, event);
    expect(outcomeOf(retried)).toBe('processed');
    await expectCompletedOnce(client.id, invoiceId);
  });

  it('after a failure between the steps, the redelivery completes only the missing ones', async () => {
    const { client, invoiceId, event } = checkout();
    h.gatewayProxy?.fail({ match: graphqlOperation('CreatePlanSubscription'), times: 1, when: 'before', status: 503 });
    expect((await deliver(h.endpoint, event)).status).toBe(500);
    expect(mutationsOf('createPaymentConfirmation', invoiceId)).toHaveLength(1);
    expect(mutationsOf('createPlanSubscription', client.id)).toHaveLength(0);
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    await expectCompletedOnce(client.id, invoiceId);
  });

  it('after a subscription was created but its answer was lost, the redelivery does not create a second one', async () => {
    const { client, invoiceId, event } = checkout();
    h.gatewayProxy?.fail({ match: graphqlOperation('CreatePlanSubscription'), times: 1, when: 'after', status: 503 });
    expect((await deliver(h.endpoint, event)).status).toBe(500);
    expect(mutationsOf('createPlanSubscription', client.id)).toHaveLength(1);
    expect(outcomeOf(await deliver(h.endpoint, event))).toBe('processed');
    await expectCompletedOnce(client.id, invoiceId);
  });

  it('acknowledges a checkout whose payment is still pending (a delayed method) without recording anything', async () => {
    const { event, invoiceId } = checkout({ paymentStatus: 'unpaid' });
    const res = await deliver(h.endpoint, event);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toBe('pending');
    expect(h.gateway.store.paymentConfirmationByCode(invoiceId)).toBeUndefined();
  });
});
