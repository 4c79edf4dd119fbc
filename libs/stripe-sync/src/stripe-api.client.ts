import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_STRIPE_OPERATION } from '@app/shared/tracing/attributes.js';
import { SpanKind, inSpan } from '@app/shared/tracing/spans.js';
import { STRIPE_API_VERSION } from './stripe-api-version.js';
import { PermanentEventError, StripeApiUnavailableError } from './stripe-event.errors.js';
import type { StripeConfig } from './stripe.env.js';
import { stripeConfig } from './stripe.env.js';

export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');

/**
 * The official client, pointed at `STRIPE_API_URL` when set (stripe-mock in tests), reading objects
 * in the API version the handlers are written for. No network retries: a webhook request must not
 * wait for seconds; Stripe redelivers the event instead.
 */
export function createStripeClient(config: StripeConfig): Stripe {
  return new Stripe(config.apiKey, {
    apiVersion: STRIPE_API_VERSION,
    ...(config.apiUrl ? hostOptions(config.apiUrl) : {}),
    maxNetworkRetries: 0,
    timeout: config.apiTimeoutMs,
    telemetry: false,
    appInfo: { name: 'nudges-webhooks' },
  });
}

/** `http://127.0.0.1:12111` → `{ host: '127.0.0.1', port: 12111, protocol: 'http' }`. */
export function hostOptions(apiUrl: string): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** What a checkout needs to know that its `checkout.session.completed` event does not carry. */
export interface CheckoutDetails {
  /** Price ids of the purchased line items, in Stripe's order. */
  priceIds: string[];
  invoiceId: string | null;
  customerId: string | null;
}

/** The few Stripe API reads the handlers need, with Stripe's errors sorted into transient and permanent. */
@Injectable()
export class StripeApi {
  /** The Stripe API host, for the client spans. */
  private readonly host: string;

  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    @Inject(stripeConfig.KEY) config: StripeConfig,
  ) {
    this.host = config.apiUrl ? new URL(config.apiUrl).hostname : 'api.stripe.com';
  }

  /** Price ids of the session's line items. */
  async checkoutPriceIds(sessionId: string): Promise<string[]> {
    const items = await this.call('checkout.sessions.listLineItems', () =>
      this.stripe.checkout.sessions.listLineItems(sessionId, { limit: 100 }),
    );
    return items.data.map((item) => item.price?.id).filter((id): id is string => typeof id === 'string');
  }

  /** The session's invoice and customer as Stripe has them now (for events that lack them). */
  async checkoutInvoiceAndCustomer(sessionId: string): Promise<Pick<CheckoutDetails, 'invoiceId' | 'customerId'>> {
    const session = await this.call('checkout.sessions.retrieve', () =>
      this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['invoice'] }),
    );
    const invoice = session.invoice;
    const invoiceId = typeof invoice === 'string' ? invoice : (invoice?.id ?? null);
    const invoiceCustomer = typeof invoice === 'object' && invoice ? idOf(invoice.customer) : null;
    return { invoiceId, customerId: idOf(session.customer) ?? invoiceCustomer };
  }

  /** Every call here is a GET (a read). */
  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    const attributes = { [ATTR_STRIPE_OPERATION]: operation, [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_SERVER_ADDRESS]: this.host };
    return inSpan(`Stripe ${operation}`, { kind: SpanKind.CLIENT, attributes }, async () => {
      try {
        return await request();
      } catch (err) {
        throw classifyStripeError(operation, err);
      }
    });
  }
}

function idOf(value: string | { id?: string } | null | undefined): string | null {
  if (typeof value === 'string') return value;
  return typeof value?.id === 'string' ? value.id : null;
}

/**
 * 404 and other 4xx about the request itself are permanent (the object is gone or the event is
 * odd); everything that may heal on its own is transient: 5xx, 429, network, and 401/403 (our key
 * is wrong or rotated, which an operator fixes without the event changing).
 */
export function classifyStripeError(operation: string, err: unknown): Error {
  const status = (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type ?? (err instanceof Error ? err.name : 'Error');
  const permanent = status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 409, 429].includes(status);
  if (permanent) {
    const reasonCode = status === 404 ? 'stripe.api-object-not-found' : 'stripe.api-request-refused';
    return new PermanentEventError(reasonCode, `Stripe API ${operation} answered ${status} (${type})`, { cause: err });
  }
  return new StripeApiUnavailableError(operation, status ? `HTTP ${status} (${type})` : type, status, { cause: err });
}
