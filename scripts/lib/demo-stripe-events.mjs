// The Stripe part of `npm run demo`: events shaped as Stripe sends them (pinned API version),
// against the gateway stand-in's demo data (peers/gateway/seed.ts), in the order a real catalog
// change and purchase would produce them:
//   1. product.updated  prod_demo_pro     → plan 2 renamed, foreignProduct.synchronized
//   2. product.created  (new, unlinked)   → foreignProduct.created
//   3. price.created    <purchased price> → a new price tier on plan 2 (USD 34.99)
//   4. checkout.session.completed by Corner Bakery (cus_demo_bakery) for that price
//                                         → payment confirmation, plan subscription, payment.completed
// stripe-mock answers every session's line items with its own fixture price, so that price is
// looked up first and used as the purchased (and newly created) price.
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { stackEnv } from '../stack.mjs';

const API_VERSION = Stripe.API_VERSION;
const now = () => Math.floor(Date.now() / 1000);
const id = (prefix) => `${prefix}_1${randomBytes(12).toString('hex').slice(0, 22)}`;

async function purchasedPriceId() {
  try {
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_demo', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    const items = await stripe.checkout.sessions.listLineItems('cs_test_demo_probe');
    return items.data[0]?.price?.id ?? 'price_1PgafmB7WZ01zgkW02Hf9z6c';
  } catch {
    return 'price_1PgafmB7WZ01zgkW02Hf9z6c'; // stripe-mock's fixture
  }
}

const priceId = await purchasedPriceId();

function event(type, object, created = now()) {
  return {
    id: id('evt'),
    object: 'event',
    api_version: API_VERSION,
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: id('req'), idempotency_key: randomUUID() },
    type,
  };
}

function product(fields) {
  const created = now() - 3600;
  return {
    object: 'product',
    active: true,
    attributes: [],
    created,
    default_price: null,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: now(),
    url: null,
    ...fields,
  };
}

function price(fields) {
  return {
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: now(),
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    recurring: { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    ...fields,
  };
}

function checkoutSession(customer, invoice) {
  const created = now() - 120;
  return {
    id: id('cs_test'),
    object: 'checkout.session',
    amount_subtotal: 3499,
    amount_total: 3499,
    cancel_url: 'https://app.example.com/plans',
    client_reference_id: null,
    created,
    currency: 'usd',
    customer,
    customer_details: { email: 'owner@cornerbakery.example', name: 'Corner Bakery', phone: null, tax_exempt: 'none', tax_ids: [] },
    expires_at: created + 86_400,
    invoice,
    livemode: false,
    metadata: {},
    mode: 'subscription',
    payment_method_types: ['card'],
    payment_status: 'paid',
    status: 'complete',
    subscription: id('sub'),
    success_url: 'https://app.example.com/account?checkout=success',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: null,
  };
}

/** The demo's Stripe events, in delivery order. */
export function demoStripeEvents() {
  return [
    event('product.updated', product({ id: 'prod_demo_pro', name: 'Pro', description: 'Unlimited messages and priority support', images: ['https://files.example.com/pro.png'] })),
    event('product.created', product({ id: id('prod'), name: 'Enterprise', description: 'Talk to sales' })),
    event('price.created', price({ id: priceId, product: 'prod_demo_pro', nickname: 'Pro monthly (2026)', unit_amount: 3499, unit_amount_decimal: '3499' })),
    event('checkout.session.completed', checkoutSession('cus_demo_bakery', id('in'))),
  ];
}
