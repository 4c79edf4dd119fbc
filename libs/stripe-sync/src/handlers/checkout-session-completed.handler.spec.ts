import { NotYetSyncedError } from '../stripe-event.errors.js';
import { counterValue, eventOf, handlerWithFakes } from '../testing/handler-test-kit.js';
import { CheckoutSessionCompletedHandler } from './checkout-session-completed.handler.js';

const CLIENT = '11111111-1111-4111-8111-111111111111';
const PAYMENTS = 'nudges_stripe_checkout_payments_total';
const session = (fields: Record<string, unknown> = {}) =>
  eventOf('checkout.session.completed', {
    id: 'cs_1',
    object: 'checkout.session',
    customer: 'cus_1',
    invoice: 'in_1',
    payment_status: 'paid',
    ...fields,
  });

async function setUp(config = {}) {
  const kit = await handlerWithFakes(CheckoutSessionCompletedHandler, config);
  kit.gateway.clients.set('cus_1', CLIENT);
  kit.gateway.addTier(7, { foreignServiceId: 'price_1' });
  kit.stripe.lineItems.set('cs_1', ['price_1']);
  return kit;
}

describe('CheckoutSessionCompletedHandler', () => {
  it('records the payment, subscribes the client and publishes payment.completed', async () => {
    const { handler, gateway, publisher, registry } = await setUp();
    expect(await handler.handle(session())).toBe('processed');
    const confirmation = gateway.confirmations.get('in_1')!;
    expect(gateway.subscriptions).toEqual([
      { clientId: CLIENT, paymentConfirmationId: confirmation.id, priceTierForeignServiceId: 'price_1' },
    ]);
    expect(publisher.payments).toEqual([
      { fields: { clientId: CLIENT, priceForeignServiceId: 'price_1', paymentConfirmationId: confirmation.id }, key: confirmation.nodeId },
    ]);
    expect(await counterValue(registry, PAYMENTS, { result: 'paid' })).toBe(1);
  });

  it('after a failure between the steps, a redelivery completes only what is missing', async () => {
    const { handler, gateway, publisher, sessions } = await setUp();
    const publish = publisher.paymentCompleted.bind(publisher);
    publisher.paymentCompleted = () => Promise.reject(new Error('Kafka down'));
    await expect(handler.handle(session())).rejects.toThrow('Kafka down');
    expect(sessions.recorded.has('cs_1')).toBe(false);
    publisher.paymentCompleted = publish;
    expect(await handler.handle(session())).toBe('processed');
    expect(gateway.confirmations.size).toBe(1);
    expect(gateway.subscriptions).toHaveLength(1);
    expect(publisher.payments).toHaveLength(1);
  });

  it('records a session once: a second paid event of it is a duplicate that does nothing', async () => {
    const { handler, gateway, publisher } = await setUp();
    await handler.handle(session());
    expect(await handler.handle({ ...session(), id: 'evt_other' })).toBe('duplicate');
    expect(gateway.subscriptions).toHaveLength(1);
    expect(publisher.payments).toHaveLength(1);
  });

  it('answers transiently while another event of the session is recording it', async () => {
    const { handler, sessions, publisher } = await setUp();
    sessions.held.add('cs_1');
    await expect(handler.handle(session())).rejects.toMatchObject({ name: 'ObjectBusyError' });
    expect(publisher.payments).toEqual([]);
  });

  it('leaves the subscription to the C# payments handler when configured so', async () => {
    const { handler, gateway } = await setUp({ createPlanSubscription: false });
    expect(await handler.handle(session())).toBe('processed');
    expect(gateway.subscriptions).toEqual([]);
  });

  it('reads invoice and customer from the Stripe API when the event lacks them', async () => {
    const { handler, stripe, gateway } = await setUp();
    stripe.sessions.set('cs_1', { invoiceId: 'in_2', customerId: 'cus_1' });
    expect(await handler.handle(session({ invoice: null }))).toBe('processed');
    expect(gateway.confirmations.has('in_2')).toBe(true);
  });

  it('waits for the delayed payment of an unpaid checkout: pending, nothing recorded, the session left open', async () => {
    const { handler, publisher, gateway, sessions, registry } = await setUp();
    expect(await handler.handle(session({ payment_status: 'unpaid' }))).toBe('pending');
    expect(publisher.payments).toEqual([]);
    expect(gateway.confirmations.size).toBe(0);
    expect(sessions.recorded.size + sessions.held.size).toBe(0);
    expect(await counterValue(registry, PAYMENTS, { result: 'pending' })).toBe(1);
  });

  it('records a checkout with nothing to pay', async () => {
    const { handler } = await setUp();
    expect(await handler.handle(session({ payment_status: 'no_payment_required' }))).toBe('processed');
  });

  it('takes the line item whose price is a Nudges price tier, wherever it is', async () => {
    const { handler, gateway, stripe } = await setUp();
    stripe.lineItems.set('cs_1', ['price_setup_fee', 'price_1', 'price_addon']);
    expect(await handler.handle(session())).toBe('processed');
    expect(gateway.subscriptions[0]?.priceTierForeignServiceId).toBe('price_1');
  });

  it('fails permanently for a checkout of several plan prices, naming them, and releases the session', async () => {
    const { handler, gateway, stripe, sessions } = await setUp();
    gateway.addTier(8, { foreignServiceId: 'price_2' });
    stripe.lineItems.set('cs_1', ['price_1', 'price_fee', 'price_2']);
    await expect(handler.handle(session())).rejects.toMatchObject({
      reasonCode: 'stripe.several-plan-prices',
      message: 'checkout session cs_1 buys several Nudges plan prices: price_1, price_2',
    });
    expect(gateway.confirmations.size).toBe(0);
    expect(sessions.held.size + sessions.recorded.size).toBe(0);
  });

  it('is not synced yet when no purchased price is a price tier yet', async () => {
    const { handler, stripe } = await setUp();
    stripe.lineItems.set('cs_1', ['price_new']);
    const error = await handler.handle(session()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotYetSyncedError);
    expect(error).toMatchObject({ reasonCode: 'stripe.price-tier-not-found' });
  });

  it('fails permanently for an unknown customer or a checkout without a price', async () => {
    const { handler, stripe } = await setUp();
    await expect(handler.handle(session({ customer: 'cus_unknown' }))).rejects.toMatchObject({ reasonCode: 'stripe.client-not-found' });
    stripe.lineItems.set('cs_1', []);
    await expect(handler.handle(session())).rejects.toMatchObject({ reasonCode: 'stripe.line-item-missing' });
  });
});
