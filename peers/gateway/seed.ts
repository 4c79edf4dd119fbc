// The small demo data set the gateway stand-in starts with (peers/gateway/main.ts); documented in
// docs/gateway.md. Ids are fixed so the demo and docs can refer to them.
import {
  GatewayStore,
  type ClientRecord,
  type PaymentConfirmationRecord,
  type PlanRecord,
  type PriceTierRecord,
  type SubscriberRecord,
} from './store.js';

export interface DemoData {
  store: GatewayStore;
  /** "Demo Coffee": phone +15555550100, Stripe customer cus_demo_coffee, ACTIVE subscription. */
  activeClient: ClientRecord;
  /** "Corner Bakery": phone +15555550110, Stripe customer cus_demo_bakery, no subscription. */
  inactiveClient: ClientRecord;
  /** +15555550101 (en-US), +15555550102 (es-ES, also subscribed to Corner Bakery), +15555550103 (en-US). */
  subscribers: SubscriberRecord[];
  /** Plan 1 "Basic" (prod_demo_basic) and plan 2 "Pro" (prod_demo_pro). */
  plans: PlanRecord[];
  /** price_demo_basic_monthly 9.99, price_demo_pro_monthly 29.99, price_demo_pro_yearly 299. */
  priceTiers: PriceTierRecord[];
  /** in_demo_0001: the invoice that paid for Demo Coffee's subscription. */
  paymentConfirmation: PaymentConfirmationRecord;
}

export function seedDemoData(store = new GatewayStore()): DemoData {
  const activeClient = store.addClient({
    id: '0b4c5a52-6a4e-4d0e-9b1a-000000000100',
    name: 'Demo Coffee',
    slug: 'demo-coffee',
    phoneNumber: '+15555550100',
    customerId: 'cus_demo_coffee',
    locale: 'en-US',
  });
  const inactiveClient = store.addClient({
    id: '0b4c5a52-6a4e-4d0e-9b1a-000000000110',
    name: 'Corner Bakery',
    slug: 'corner-bakery',
    phoneNumber: '+15555550110',
    customerId: 'cus_demo_bakery',
    locale: 'es-ES',
  });
  const subscribers = [
    store.addSubscriber({
      id: '5ab0c0de-0000-4000-8000-000000000101',
      phoneNumber: '+15555550101',
      locale: 'en-US',
      clientIds: [activeClient.id],
    }),
    store.addSubscriber({
      id: '5ab0c0de-0000-4000-8000-000000000102',
      phoneNumber: '+15555550102',
      locale: 'es-ES',
      clientIds: [activeClient.id, inactiveClient.id],
    }),
    store.addSubscriber({
      id: '5ab0c0de-0000-4000-8000-000000000103',
      phoneNumber: '+15555550103',
      locale: 'en-US',
      clientIds: [activeClient.id],
    }),
  ];
  const basic = store.addPlan({ id: 1, name: 'Basic', description: 'Up to 500 messages a month', foreignServiceId: 'prod_demo_basic' });
  const pro = store.addPlan({ id: 2, name: 'Pro', description: 'Unlimited messages', foreignServiceId: 'prod_demo_pro' });
  const priceTiers = [
    store.addPriceTier(basic.id, { name: 'Basic monthly', price: 9.99, foreignServiceId: 'price_demo_basic_monthly', duration: 'P30D' }),
    store.addPriceTier(pro.id, { name: 'Pro monthly', price: 29.99, foreignServiceId: 'price_demo_pro_monthly', duration: 'P30D' }),
    store.addPriceTier(pro.id, { name: 'Pro yearly', price: 299, foreignServiceId: 'price_demo_pro_yearly', duration: 'P365D' }),
  ];
  const paymentConfirmation = store.addPaymentConfirmation({
    id: 'c0ffee00-0000-4000-8000-000000000001',
    confirmationCode: 'in_demo_0001',
  });
  store.addPlanSubscription({
    clientId: activeClient.id,
    paymentConfirmationId: paymentConfirmation.id,
    priceTierId: (priceTiers[0] as PriceTierRecord).id,
  });
  return { store, activeClient, inactiveClient, subscribers, plans: [basic, pro], priceTiers, paymentConfirmation };
}
