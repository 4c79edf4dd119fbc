import { Inject, Injectable, Logger } from '@nestjs/common';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { StripeApi } from '../stripe-api.client.js';
import type { StripeEvent } from '../stripe-event.js';
import { PermanentEventError } from '../stripe-event.errors.js';
import { StripeEventsPublisher } from '../stripe-events.publisher.js';
import type { StripeConfig } from '../stripe.env.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { checkoutSessionSchema, idOf, objectOf, type StripeCheckoutSession } from './stripe-objects.js';
import { stripeConfig } from '../stripe.env.js';

/** Payment statuses that mean the money is there (async methods complete later with `unpaid` here). */
const SETTLED = new Set(['paid', 'no_payment_required']);

/**
 * A customer paid for a plan: record the payment confirmation (code = the invoice id), subscribe
 * the client to the purchased price (unless the C# payments handler is the one that does, see
 * STRIPE_CREATE_PLAN_SUBSCRIPTION), publish `payment.completed`. Every step first checks whether
 * it already happened, so a redelivery after a partial failure completes only the missing steps.
 */
@Injectable()
export class CheckoutSessionCompletedHandler implements StripeEventHandler {
  readonly eventType = 'checkout.session.completed';
  private readonly logger = new Logger(CheckoutSessionCompletedHandler.name);

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly stripe: StripeApi,
    private readonly publisher: StripeEventsPublisher,
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
  ) {}

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    const session = objectOf(event, checkoutSessionSchema);
    if (session.payment_status !== undefined && !SETTLED.has(session.payment_status)) {
      this.logger.log({ msg: 'checkout not paid yet; nothing to record', eventId: event.id, paymentStatus: session.payment_status });
      return 'skipped';
    }
    const { invoiceId, customerId } = await this.invoiceAndCustomer(session);
    const priceId = await this.purchasedPriceId(session.id);
    const clientId = await this.gateway.clientIdByCustomerId(customerId);
    if (!clientId) throw new PermanentEventError('stripe.client-not-found', `no client has Stripe customer id ${customerId}`);

    const confirmation =
      (await this.gateway.paymentConfirmationByCode(invoiceId)) ??
      (await this.gateway.createPaymentConfirmation(invoiceId, this.config.merchantServiceId));
    const paymentConfirmationId = confirmation.id;
    if (this.config.createPlanSubscription && !(await this.gateway.hasPlanSubscriptionFor(paymentConfirmationId))) {
      await this.gateway.createPlanSubscription({ clientId, paymentConfirmationId, priceTierForeignServiceId: priceId });
    }
    await this.publisher.paymentCompleted({ clientId, priceForeignServiceId: priceId, paymentConfirmationId }, confirmation.nodeId);
    return 'processed';
  }

  /** From the event when it has them (subscription mode always does), else from the Stripe API. */
  private async invoiceAndCustomer(session: StripeCheckoutSession): Promise<{ invoiceId: string; customerId: string }> {
    let invoiceId = idOf(session.invoice);
    let customerId = idOf(session.customer);
    if (!invoiceId || !customerId) {
      const current = await this.stripe.checkoutInvoiceAndCustomer(session.id);
      invoiceId ??= current.invoiceId;
      customerId ??= current.customerId;
    }
    if (!invoiceId) throw new PermanentEventError('stripe.invoice-missing', `checkout session ${session.id} has no invoice`);
    if (!customerId) throw new PermanentEventError('stripe.customer-missing', `checkout session ${session.id} has no customer`);
    return { invoiceId, customerId };
  }

  private async purchasedPriceId(sessionId: string): Promise<string> {
    const [priceId, ...others] = await this.stripe.checkoutPriceIds(sessionId);
    if (!priceId) throw new PermanentEventError('stripe.line-item-missing', `checkout session ${sessionId} has no priced line item`);
    if (others.length > 0) this.logger.warn({ msg: 'checkout has several line items; the first one is the plan', sessionId, priceId });
    return priceId;
  }
}
