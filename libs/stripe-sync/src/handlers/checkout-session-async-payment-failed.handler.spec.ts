import { counterValue, eventOf, handlerWithFakes } from '../testing/handler-test-kit.js';
import { CheckoutSessionAsyncPaymentFailedHandler } from './checkout-session-async-payment-failed.handler.js';

describe('CheckoutSessionAsyncPaymentFailedHandler', () => {
  it('counts the failed payment and records nothing', async () => {
    const { handler, gateway, publisher, sessions, registry } = await handlerWithFakes(CheckoutSessionAsyncPaymentFailedHandler);
    gateway.clients.set('cus_1', '33333333-3333-4333-8333-333333333333');
    const event = eventOf('checkout.session.async_payment_failed', {
      id: 'cs_1',
      object: 'checkout.session',
      customer: 'cus_1',
      invoice: 'in_1',
      payment_status: 'unpaid',
    });
    expect(await handler.handle(event)).toBe('processed');
    expect(await counterValue(registry, 'nudges_stripe_checkout_payments_total', { result: 'async_failed' })).toBe(1);
    expect(gateway.confirmations.size).toBe(0);
    expect(gateway.subscriptions).toEqual([]);
    expect(publisher.payments).toEqual([]);
    expect(sessions.recorded.size + sessions.held.size).toBe(0);
  });

  it('fails permanently for an object that is not a checkout session', async () => {
    const { handler } = await handlerWithFakes(CheckoutSessionAsyncPaymentFailedHandler);
    await expect(
      handler.handle(eventOf('checkout.session.async_payment_failed', { id: 'pi_1', object: 'payment_intent' })),
    ).rejects.toMatchObject({
      reasonCode: 'stripe.invalid-object',
    });
  });
});
