import { counterValue, eventOf, handlersWithFakes } from '../testing/handler-test-kit.js';
import { CheckoutSessionAsyncPaymentSucceededHandler } from './checkout-session-async-payment-succeeded.handler.js';
import { CheckoutSessionCompletedHandler } from './checkout-session-completed.handler.js';

const CLIENT = '22222222-2222-4222-8222-222222222222';
const sessionEvent = (type: string, paymentStatus: string, id: string) => ({
  ...eventOf(type, { id: 'cs_9', object: 'checkout.session', customer: 'cus_9', invoice: 'in_9', payment_status: paymentStatus }),
  id,
});
const completedUnpaid = () => sessionEvent('checkout.session.completed', 'unpaid', 'evt_completed');
const completedPaid = () => sessionEvent('checkout.session.completed', 'paid', 'evt_completed_paid');
const succeeded = () => sessionEvent('checkout.session.async_payment_succeeded', 'paid', 'evt_succeeded');

async function setUp() {
  const kit = await handlersWithFakes([CheckoutSessionAsyncPaymentSucceededHandler, CheckoutSessionCompletedHandler]);
  kit.gateway.clients.set('cus_9', CLIENT);
  kit.gateway.addTier(3, { foreignServiceId: 'price_9' });
  kit.stripe.lineItems.set('cs_9', ['price_9']);
  const handlers = {
    succeeded: kit.get(CheckoutSessionAsyncPaymentSucceededHandler),
    completed: kit.get(CheckoutSessionCompletedHandler),
  };
  return {
    ...kit,
    ...handlers,
    handle: (e: ReturnType<typeof sessionEvent>) =>
      (e.type === 'checkout.session.completed' ? handlers.completed : handlers.succeeded).handle(e),
  };
}

describe('CheckoutSessionAsyncPaymentSucceededHandler', () => {
  it('records the checkout exactly as a paid checkout.session.completed does', async () => {
    const { succeeded: handler, gateway, publisher, registry } = await setUp();
    expect(await handler.handle(succeeded())).toBe('processed');
    const confirmation = gateway.confirmations.get('in_9')!;
    expect(gateway.subscriptions).toEqual([
      { clientId: CLIENT, paymentConfirmationId: confirmation.id, priceTierForeignServiceId: 'price_9' },
    ]);
    expect(publisher.payments).toEqual([
      { fields: { clientId: CLIENT, priceForeignServiceId: 'price_9', paymentConfirmationId: confirmation.id }, key: confirmation.nodeId },
    ]);
    expect(await counterValue(registry, 'nudges_stripe_checkout_payments_total', { result: 'async_succeeded' })).toBe(1);
  });

  it.each([
    ['unpaid completed, then succeeded', [completedUnpaid, succeeded], ['pending', 'processed']],
    ['succeeded, then unpaid completed', [succeeded, completedUnpaid], ['processed', 'pending']],
    ['paid completed, then succeeded', [completedPaid, succeeded], ['processed', 'duplicate']],
    ['succeeded, then paid completed', [succeeded, completedPaid], ['processed', 'duplicate']],
  ])('records the session once: %s', async (_, events, outcomes) => {
    const kit = await setUp();
    const answers = [];
    for (const event of events) answers.push(await kit.handle(event()));
    expect(answers).toEqual(outcomes);
    expect(kit.gateway.confirmations.size).toBe(1);
    expect(kit.gateway.subscriptions).toHaveLength(1);
    expect(kit.publisher.payments).toHaveLength(1);
  });
});
