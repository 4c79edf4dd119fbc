import { Inject, Injectable, Logger } from '@nestjs/common';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { CheckoutSessionStore } from '../checkout-session.store.js';
import { StripeApi } from '../stripe-api.client.js';
import { NotYetSyncedError, ObjectBusyError, PermanentEventError } from '../stripe-event.errors.js';
import { StripeEventsPublisher } from '../stripe-events.publisher.js';
import { StripeSyncMetrics } from '../stripe-sync.metrics.js';
import type { StripeConfig } from '../stripe.env.js';
import { stripeConfig } from '../stripe.env.js';
import { idOf, type StripeCheckoutSession } from './stripe-objects.js';

/** When the money of a recorded checkout arrived: at checkout, or later through a delayed method. */
export type PaidAt = 'paid' | 'async_succeeded';

/**
 * A customer paid for a plan: record the payment confirmation (code = the invoice id), subscribe
 * the client to the plan's price (unless the C# payments handler is the one that does, see
 * STRIPE_CREATE_PLAN_SUBSCRIPTION), publish `payment.completed`. Used by every checkout event that
 * means "paid"; each session is recorded once (CheckoutSessionStore), and every step first checks
 * whether it already happened, so a retry after a partial failure completes only the missing steps.
 */
@Injectable()
export class CheckoutRecorder {
  private readonly logger = new Logger(CheckoutRecorder.name);

  constructor(
    private readonly gateway: BillingGatewayClient,
    private readonly stripe: StripeApi,
    private readonly publisher: StripeEventsPublisher,
    private readonly sessions: CheckoutSessionStore,
    private readonly metrics: StripeSyncMetrics,
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
  ) {}

  /** `duplicate` when another event of the session recorded it already. */
  async record(session: StripeCheckoutSession, paidAt: PaidAt): Promise<'processed' | 'duplicate'> {
    const claim = await this.sessions.claim(session.id);
    if (claim.status === 'recorded') {
      this.logger.log({ msg: 'checkout session already recorded by another event; nothing to do', sessionId: session.id });
      return 'duplicate';
    }
    if (claim.status === 'in-flight') throw new ObjectBusyError(session.id);
    try {
      await this.recordSteps(session);
      await claim.complete();
    } catch (err) {
      await claim.release().catch(() => undefined); // the lease expires by itself otherwise
      throw err;
    }
    this.metrics.checkoutPayment(paidAt);
    return 'processed';
  }

  private async recordSteps(session: StripeCheckoutSession): Promise<void> {
    const { invoiceId, customerId } = await this.invoiceAndCustomer(session);
    const clientId = await this.gateway.clientIdByCustomerId(customerId);
    if (!clientId) throw new PermanentEventError('stripe.client-not-found', `no client has Stripe customer id ${customerId}`);
    const priceId = await this.planPriceId(session.id);

    const confirmation =
      (await this.gateway.paymentConfirmationByCode(invoiceId)) ??
      (await this.gateway.createPaymentConfirmation(invoiceId, this.config.merchantServiceId));
    const paymentConfirmationId = confirmation.id;
    if (this.config.createPlanSubscription && !(await this.gateway.hasPlanSubscriptionFor(paymentConfirmationId))) {
      await this.gateway.createPlanSubscription({ clientId, paymentConfirmationId, priceTierForeignServiceId: priceId });
    }
    await this.publisher.paymentCompleted({ clientId, priceForeignServiceId: priceId, paymentConfirmationId }, confirmation.nodeId);
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

  /**
   * The one purchased price that is a Nudges price tier, whatever its place among the line items
   * (a checkout may sell add-ons, tax or setup fees beside the plan).
   */
  private async planPriceId(sessionId: string): Promise<string> {
    const priceIds = [...new Set(await this.stripe.checkoutPriceIds(sessionId))];
    if (priceIds.length === 0) {
      throw new PermanentEventError('stripe.line-item-missing', `checkout session ${sessionId} has no priced line item`);
    }
    const tiers = await Promise.all(priceIds.map((priceId) => this.gateway.priceTierByForeignId(priceId)));
    const planPrices = priceIds.filter((_, i) => tiers[i] !== null);
    if (planPrices.length > 1) {
      throw new PermanentEventError(
        'stripe.several-plan-prices',
        `checkout session ${sessionId} buys several Nudges plan prices: ${planPrices.join(', ')}`,
      );
    }
    const [planPrice] = planPrices;
    if (!planPrice) {
      throw new NotYetSyncedError(
        'stripe.price-tier-not-found',
        `no price of checkout session ${sessionId} is a Nudges price tier (${priceIds.join(', ')})`,
      );
    }
    return planPrice;
  }
}
