// Stripe webhook payloads shaped as Stripe sends them for the API version the stripe package pins
// (snapshot events; objects with the fields that version serializes). The one set of builders used
// by `simulate stripe`, the Stripe end-to-end tests (test/support/stripe) and the demo (through
// `simulate`).
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';

const signer = new Stripe('sk_test_signer');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Stripe-style id: `prefix_` + 24 random base62 characters, e.g. `evt_1Q...`. */
export function stripeId(prefix: string): string {
  const bytes = randomBytes(24);
  return `${prefix}_1${Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length])
    .join('')
    .slice(0, 23)}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface EventOptions {
  id?: string;
  created?: number;
  previousAttributes?: Record<string, unknown>;
}

export type StripeEventPayload = ReturnType<typeof stripeEvent>;

export function stripeEvent(type: string, object: Record<string, unknown>, options: EventOptions = {}) {
  return {
    id: options.id ?? stripeId('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: options.created ?? nowSeconds(),
    data: { object, ...(options.previousAttributes ? { previous_attributes: options.previousAttributes } : {}) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: stripeId('req'), idempotency_key: randomUUID() },
    type,
  };
}

export interface ProductFields {
  id?: string;
  name?: string;
  description?: string | null;
  images?: string[];
  active?: boolean;
  metadata?: Record<string, string>;
  created?: number;
}

export function productObject(fields: ProductFields = {}) {
  const created = fields.created ?? nowSeconds() - 60;
  return {
    id: fields.id ?? stripeId('prod'),
    object: 'product',
    active: fields.active ?? true,
    attributes: [],
    created,
    default_price: null,
    description: fields.description === undefined ? 'Send announcements to every subscriber' : fields.description,
    images: fields.images ?? ['https://files.stripe.com/links/MDB8YWNjdF8xUHBybyBwbGFu'],
    livemode: false,
    marketing_features: [],
    metadata: fields.metadata ?? {},
    name: fields.name ?? 'Nudges Pro',
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: created,
    url: null,
  };
}

export interface PriceFields {
  id?: string;
  product?: string;
  nickname?: string | null;
  currency?: string;
  unitAmount?: number | null;
  unitAmountDecimal?: string | null;
  active?: boolean;
  interval?: 'day' | 'week' | 'month' | 'year';
  intervalCount?: number;
  metadata?: Record<string, string>;
}

export function priceObject(fields: PriceFields = {}) {
  const unitAmount = fields.unitAmount === undefined ? 999 : fields.unitAmount;
  return {
    id: fields.id ?? stripeId('price'),
    object: 'price',
    active: fields.active ?? true,
    billing_scheme: 'per_unit',
    created: nowSeconds() - 60,
    currency: fields.currency ?? 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: fields.metadata ?? {},
    nickname: fields.nickname === undefined ? 'Monthly' : fields.nickname,
    product: fields.product ?? stripeId('prod'),
    recurring: {
      interval: fields.interval ?? 'month',
      interval_count: fields.intervalCount ?? 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: unitAmount,
    unit_amount_decimal:
      fields.unitAmountDecimal === undefined ? (unitAmount === null ? null : String(unitAmount)) : fields.unitAmountDecimal,
  };
}

export interface CheckoutFields {
  id?: string;
  customer?: string | null;
  invoice?: string | null;
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  /** In the smallest currency unit (cents). */
  amountTotal?: number;
  currency?: string;
  customerName?: string;
  customerEmail?: string;
  metadata?: Record<string, string>;
}

export function checkoutSessionObject(fields: CheckoutFields = {}) {
  const created = nowSeconds() - 120;
  const amount = fields.amountTotal ?? 999;
  const currency = fields.currency ?? 'usd';
  return {
    id: fields.id ?? stripeId('cs_test'),
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: amount,
    amount_total: amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: 'https://app.example.com/plans',
    client_reference_id: null,
    client_secret: null,
    collected_information: { business_name: null, individual_name: null, shipping_details: null },
    consent: null,
    consent_collection: null,
    created,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: fields.customer === undefined ? stripeId('cus') : fields.customer,
    customer_account: null,
    customer_creation: 'always',
    customer_details: {
      address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94107', state: null },
      business_name: null,
      email: fields.customerEmail ?? 'owner@example.com',
      individual_name: null,
      name: fields.customerName ?? 'Ada Owner',
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: null,
    discounts: [],
    expires_at: created + 86_400,
    integration_identifier: null,
    invoice: fields.invoice === undefined ? stripeId('in') : fields.invoice,
    invoice_creation: null,
    livemode: false,
    locale: null,
    metadata: fields.metadata ?? {},
    mode: 'subscription',
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: fields.paymentStatus ?? 'paid',
    permissions: null,
    phone_number_collection: { enabled: false },
    presentment_details: { presentment_amount: amount, presentment_currency: currency },
    recovered_from: null,
    saved_payment_method_options: { allow_redisplay_filters: ['always'], payment_method_remove: 'disabled', payment_method_save: null },
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'complete',
    submit_type: null,
    subscription: stripeId('sub'),
    success_url: 'https://app.example.com/account?checkout=success',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: null,
    wallet_options: null,
  };
}

/** The `Stripe-Signature` header for `body` (the exact bytes sent), as Stripe computes it. */
export function stripeSignature(body: string, secret: string, timestamp?: number): string {
  return signer.webhooks.generateTestHeaderString({ payload: body, secret, ...(timestamp !== undefined ? { timestamp } : {}) });
}
