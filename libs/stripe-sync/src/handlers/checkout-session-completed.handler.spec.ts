import { eventOf, handlerWithFakes } from '../testing/handler-test-kit.js';
import { CheckoutSessionCompletedHandler } from './checkout-session-completed.handler.js';

const CLIENT = '11111111-1111-4111-8111-111111111111';
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
  kit.stripe.lineItems.set('cs_1', ['price_1']);
  return kit;
}

describe('CheckoutSessionCompletedHandler', () => {
  it('records the payment, subscribes the client and publishes payment.completed', async () => {
    const { handler, gateway, publisher } = await setUp();
    expect(await handler.handle(session())).toBe('processed');
    const confirmation = gateway.confirmations.get('in_1')!;
    expect(gateway.subscriptions).toEqual([
      { clientId: CLIENT, paymentConfirmationId: confirmation.id, priceTierForeignServiceId: 'price_1' },
    ]);
    expect(publisher.payments).toEqual([
      { fields: { clientId: CLIENT, priceForeignServiceId: 'price_1', paymentConfirmationId: confirmation.id }, key: confirmation.nodeId },
    ]);
  });

  it('on redelivery completes only what is missing', async () => {
    const { handler, gateway, publisher } = await setUp();
    await handler.handle(session());
    await handler.handle(session());
    expect(gateway.confirmations.size).toBe(1);
    expect(gateway.subscriptions).toHaveLength(1);
    expect(publisher.payments).toHaveLength(2);
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

  it('skips an unpaid checkout', async () => {
    const { handler, publisher } = await setUp();
    expect(await handler.handle(session({ payment_status: 'unpaid' }))).toBe('skipped');
    expect(publisher.payments).toEqual([]);
  });

  it('fails permanently for an unknown customer or a checkout without a price', async () => {
    const { handler, stripe } = await setUp();
    await expect(handler.handle(session({ customer: 'cus_unknown' }))).rejects.toMatchObject({ reasonCode: 'stripe.client-not-found' });
    stripe.lineItems.set('cs_1', []);
    await expect(handler.handle(session())).rejects.toMatchObject({ reasonCode: 'stripe.line-item-missing' });
  });
});
