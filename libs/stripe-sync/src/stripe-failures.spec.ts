import Stripe from 'stripe';
import { GatewayBusinessError, GatewayUnavailableError } from '@app/shared/graphql/gateway.errors.js';
import { KafkaPublishError } from '@app/shared/kafka/kafka-producer.service.js';
import { classifyStripeError, hostOptions } from './stripe-api.client.js';
import { NotYetSyncedError, PermanentEventError, StripeApiUnavailableError } from './stripe-event.errors.js';
import { permanentFailureOf } from './stripe-event-processor.js';

const stripeError = (status: number, type = 'invalid_request_error') =>
  Stripe.errors.StripeError.generate({ type, message: 'x', statusCode: status } as never);

describe('hostOptions', () => {
  it('turns STRIPE_API_URL into the client options', () => {
    expect(hostOptions('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: '12111', protocol: 'http' });
    expect(hostOptions('https://stripe.internal')).toEqual({ host: 'stripe.internal', port: 443, protocol: 'https' });
  });
});

describe('classifyStripeError', () => {
  it.each([
    [404, 'stripe.api-object-not-found'],
    [400, 'stripe.api-request-refused'],
  ])('HTTP %i is permanent (%s)', (status, code) => {
    const error = classifyStripeError('op', stripeError(status));
    expect(error).toBeInstanceOf(PermanentEventError);
    expect((error as PermanentEventError).reasonCode).toBe(code);
  });

  it.each([500, 503, 429, 401, 403])('HTTP %i is transient', (status) => {
    expect(classifyStripeError('op', stripeError(status, 'api_error'))).toBeInstanceOf(StripeApiUnavailableError);
  });

  it('a connection failure is transient', () => {
    expect(classifyStripeError('op', new Stripe.errors.StripeConnectionError({ message: 'ECONNREFUSED' }))).toBeInstanceOf(
      StripeApiUnavailableError,
    );
  });
});

describe('permanentFailureOf', () => {
  it('maps gateway refusals to dead-letter reason codes', () => {
    expect(permanentFailureOf(new GatewayBusinessError('PatchPlan', 'PlanNotFoundError', 'gone'))?.reasonCode).toBe(
      'stripe.plan-not-found',
    );
    expect(permanentFailureOf(new GatewayBusinessError('PatchPriceTier', 'PriceTierNotFoundError', 'gone'))?.reasonCode).toBe(
      'stripe.price-tier-not-found',
    );
    expect(permanentFailureOf(new GatewayBusinessError('CreatePlanSubscription', 'PlanCreationError', 'no'))?.reasonCode).toBe(
      'stripe.gateway-refused',
    );
    expect(permanentFailureOf(new PermanentEventError('stripe.client-not-found', 'who?'))).toEqual({
      reasonCode: 'stripe.client-not-found',
      reason: 'who?',
    });
  });

  it('treats an object not synced yet as transient during the grace period, then as permanent', () => {
    const missing = new NotYetSyncedError('stripe.plan-not-found', 'no plan is linked to product prod_1 of price price_1');
    expect(permanentFailureOf(missing, true)).toBeNull();
    expect(permanentFailureOf(missing, false)).toEqual({
      reasonCode: 'stripe.plan-not-found',
      reason: 'no plan is linked to product prod_1 of price price_1, still after the grace period',
    });
  });

  it('keeps permanent failures permanent during the grace period', () => {
    expect(permanentFailureOf(new PermanentEventError('stripe.client-not-found', 'who?'), true)?.reasonCode).toBe(
      'stripe.client-not-found',
    );
  });

  it('treats everything else as transient', () => {
    expect(permanentFailureOf(new GatewayUnavailableError('Q', 'http-status', 'HTTP 503', 503))).toBeNull();
    expect(permanentFailureOf(new KafkaPublishError('payments', new Error('down')))).toBeNull();
    expect(permanentFailureOf(new StripeApiUnavailableError('op', 'HTTP 502'))).toBeNull();
    expect(permanentFailureOf(new TypeError('bug'))).toBeNull();
  });
});
