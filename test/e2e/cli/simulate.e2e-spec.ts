// `simulate stripe|sms` against the real webhooks app (in-process, real HTTP) with the OIDC and
// GraphQL stand-ins, Kafka and Redis, and the broadcaster that fans a CONFIRM out; then a Stripe
// dead letter found and replayed with `dlq`.
import { jest } from '@jest/globals';
import Stripe from 'stripe';
import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import { decodeAny } from '@app/shared/codec/decode.js';
import { CapturedOutput } from '../../../apps/cli/src/cli-output.js';
import { runSimulateSms, runSimulateStripe, withDlq } from '../../../apps/cli/src/cli.runners.js';
import { stripeId } from '../../../apps/cli/src/simulate/stripe-events.js';
import { encodeNodeId } from '@app/shared/graphql/node-id.js';
import { seedDemoData, type DemoData } from '../../../peers/gateway/seed.js';
import { startBroadcasterApp, type RunningBroadcaster } from '../../support/broadcaster-app.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { baseWebhooksEnv, startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { ensureCliBuilt, RawReader, runCli, text, topicSize } from '../../support/cli/cli-support.js';

jest.setTimeout(60_000);

describe('simulate CLI against a running webhooks service', () => {
  const base = uniqueName('cli-simulate');
  const topics = {
    notifications: `${base}-notifications`,
    payments: `${base}-payments`,
    foreignProducts: `${base}-foreign-products`,
    deadletter: `${base}-deadletter`,
  };
  let peers: GatewayPeers;
  let demo: DemoData;
  let webhooks: RunningWebhooks;
  let broadcaster: RunningBroadcaster;
  let reader: RawReader;
  /** The webhooks app's environment: what `simulate` and `dlq` (Stripe replays) need too. */
  let env: Record<string, string>;
  /** The price stripe-mock answers for every checkout's line items. */
  let purchasedPriceId: string;

  beforeAll(async () => {
    peers = await startGatewayPeers();
    demo = seedDemoData(peers.gateway.store);
    const appEnv = {
      ...peers.env,
      KAFKA_TOPIC_NOTIFICATIONS: topics.notifications,
      KAFKA_TOPIC_PAYMENTS: topics.payments,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
      KAFKA_TOPIC_DEADLETTER: topics.deadletter,
      KAFKA_TOPIC_BROADCASTS: `${base}-broadcasts`,
      BROADCAST_CONSUMER_GROUP: `${base}-fanout`,
      // The fan-out of three subscribers ends well within this: the CONFIRM reply carries the count.
      BROADCAST_REPLY_WITHIN_MS: '10000',
      KAFKA_TOPIC_PARTITIONS: '1',
      REDIS_KEY_PREFIX: `${base}:`,
      LOCALIZATION_API_URL: '',
    };
    webhooks = await startWebhooksApp(appEnv);
    broadcaster = await startBroadcasterApp(appEnv);
    env = { ...baseWebhooksEnv(), ...appEnv, WEBHOOKS_URL: webhooks.url, LOG_LEVEL: 'warn' };
    reader = await RawReader.start(Object.values(topics));
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    purchasedPriceId = (await stripe.checkout.sessions.listLineItems('cs_test_probe')).data[0]?.price?.id ?? '';
    expect(purchasedPriceId).toMatch(/^price_/);
  });

  afterAll(async () => {
    await reader?.stop();
    await broadcaster?.stop();
    await webhooks?.stop();
    await peers?.stop();
  });

  const stripe = async (kind: string, options: Parameters<typeof runSimulateStripe>[2] = {}) => {
    const out = new CapturedOutput();
    const code = await runSimulateStripe(env, kind, options, out);
    return { code, out, answer: out.lines[1] ?? '' };
  };
  /** The value as the codec reads it (PascalCase on the wire). */
  const valueOf = (m: { value: Buffer | null }) => {
    const decoded = decodeAny(m.value);
    return (decoded.ok ? decoded.value : {}) as unknown as Record<string, unknown>;
  };

  it('product.created for a new product: 200 processed, foreignProduct.created on Kafka', async () => {
    const productId = stripeId('prod');
    const { code, out, answer } = await stripe('product.created', { product: productId, name: 'Enterprise', description: 'Talk to sales' });
    expect(code).toBe(0);
    expect(out.lines[0]).toMatch(/^→ POST \/api\/StripeWebhookHandler {2}product\.created evt_\w+$/);
    expect(answer).toBe('← 200 {"received":true,"outcome":"processed"}');
    const [message] = await reader.waitFor(topics.foreignProducts, (m) => text(m.key)?.includes(productId) ?? false);
    expect(valueOf(message!)).toEqual({
      $type: 'foreignProduct.created',
      foreignProductId: productId,
      name: 'Enterprise',
      description: 'Talk to sales',
      iconUrl: expect.any(String),
    });
  });

  it('product.updated for a linked product: the plan is renamed and foreignProduct.synchronized published', async () => {
    const { code, answer } = await stripe('product.updated', {
      product: 'prod_demo_pro',
      name: 'Pro (2026)',
      description: 'Unlimited messages and priority support',
    });
    expect(code).toBe(0);
    expect(answer).toBe('← 200 {"received":true,"outcome":"processed"}');
    expect(peers.gateway.store.plans.get(2)).toMatchObject({ name: 'Pro (2026)', description: 'Unlimited messages and priority support' });
    const [message] = await reader.waitFor(
      topics.foreignProducts,
      (m) => (text(m.key)?.includes('prod_demo_pro') ?? false) && valueOf(m).$type === 'foreignProduct.synchronized',
    );
    expect(valueOf(message!)).toMatchObject({ planNodeId: encodeNodeId('Plan', 2), name: 'Pro (2026)' });
  });

  it('price.created then checkout: a new price tier, then the payment recorded and payment.completed published', async () => {
    const created = await stripe('price.created', {
      price: purchasedPriceId,
      product: 'prod_demo_pro',
      amount: 3499,
      nickname: 'Pro monthly (2026)',
    });
    expect(created.answer).toBe('← 200 {"received":true,"outcome":"processed"}');
    expect([...peers.gateway.store.priceTiers.values()].find((t) => t.foreignServiceId === purchasedPriceId)).toMatchObject({
      price: 34.99,
    });

    const { code, answer } = await stripe('checkout', { customer: 'cus_demo_bakery', amount: 3499 });
    expect(code).toBe(0);
    expect(answer).toBe('← 200 {"received":true,"outcome":"processed"}');
    const [payment] = await reader.waitFor(topics.payments, (m) => valueOf(m).clientId === demo.inactiveClient.id);
    expect(valueOf(payment!)).toMatchObject({ $type: 'payment.completed', priceForeignServiceId: purchasedPriceId });
  });

  it('price.deleted and product.deleted of unknown objects are acknowledged without effect', async () => {
    expect((await stripe('price.deleted')).answer).toBe('← 200 {"received":true,"outcome":"skipped"}');
    expect((await stripe('product.deleted')).answer).toBe('← 200 {"received":true,"outcome":"skipped"}');
  });

  it('sms: a draft is quoted back, CONFIRM broadcasts it to every subscriber', async () => {
    const draft = new CapturedOutput();
    expect(await runSimulateSms(env, 'Big sale tomorrow!', { from: demo.activeClient.phoneNumber! }, draft)).toBe(0);
    expect(draft.lines[0]).toMatch(/^→ POST \/api\/TwilioWebhookHandler {2}SMS from \+\*{7}0100 \(SM[0-9a-f]{32}\)$/);
    expect(draft.lines[1]).toBe(
      '← 200 <?xml version="1.0" encoding="UTF-8"?><Response><Message>Your announcement:\nBig sale tomorrow!\nReply CONFIRM to send it.\nEach subscriber receives it as 1 SMS.</Message></Response>',
    );

    const confirm = new CapturedOutput();
    expect(await runSimulateSms(env, 'CONFIRM', { from: demo.activeClient.phoneNumber! }, confirm)).toBe(0);
    expect(confirm.lines[1]).toContain('<Message>Sent to 3 subscribers</Message>');
    const sent = await reader.waitFor(topics.notifications, (m) => valueOf(m).resourceKey === 'AnnouncementTemplate', 3);
    expect(sent.map((m) => (valueOf(m).replacements as Record<string, string>).smsBody)).toEqual([
      'Big sale tomorrow!',
      'Big sale tomorrow!',
      'Big sale tomorrow!',
    ]);
  });

  it('a refused signature shows as the non-2xx answer and exit code 1', async () => {
    const out = new CapturedOutput();
    expect(await runSimulateStripe({ ...env, STRIPE_WEBHOOKS_SECRET: 'whsec_wrong' }, 'checkout', {}, out)).toBe(1);
    expect(out.lines[1]).toMatch(/^← 400 .*Invalid Stripe signature/);
  });

  it('a Stripe dead letter is listed, and replayed through the handlers once the data is fixed', async () => {
    const customerId = stripeId('cus');
    const simulated = await stripe('checkout', { customer: customerId });
    expect(simulated.answer).toBe('← 200 {"received":true,"outcome":"deadlettered"}');
    const eventId = /(evt_\w+)$/.exec(simulated.out.lines[0]!)![1]!;
    const [stored] = await reader.waitFor(topics.deadletter, (m) => m.value?.includes(eventId) ?? false);
    const decoded = decodeDeadLetter(stored!.value);
    if (!decoded.ok) throw new Error(decoded.error.message);
    const id = decoded.value.eventKey.id;

    const listed = new CapturedOutput();
    await withDlq(env, false, (dlq) => dlq.list({ reason: 'stripe.client-not-found' }, listed));
    expect(listed.lines[1]).toMatch(
      new RegExp(`^${id}\\s+edge\\s+webhooks\\s+stripe\\.client-not-found\\s+1\\s+\\S+\\s+stripe ${eventId}\\s+-$`),
    );

    // The operator fixes the data (the client gets its Stripe customer id), then replays.
    const store = peers.gateway.store;
    if (![...store.priceTiers.values()].some((t) => t.foreignServiceId === purchasedPriceId)) {
      store.addPriceTier(2, { name: 'Pro monthly', price: 34.99, foreignServiceId: purchasedPriceId, duration: 'P30D' });
    }
    const client = store.addClient({ name: 'Late Customer', customerId });
    const replayed = new CapturedOutput();
    expect(await withDlq(env, false, (dlq) => dlq.replay([id], {}, replayed))).toBe(0);
    expect(replayed.lines[0]).toBe(`${id}  Stripe event ${eventId} through the handlers: processed`);
    await reader.waitFor(topics.payments, (m) => valueOf(m).clientId === client.id);

    const payments = await topicSize(topics.payments);
    const forced = new CapturedOutput();
    expect(await withDlq(env, false, (dlq) => dlq.replay([id], { force: true }, forced))).toBe(0);
    expect(forced.lines[0]).toBe(`${id}  Stripe event ${eventId} through the handlers: duplicate`);
    expect(await topicSize(topics.payments)).toBe(payments);
  });

  describe('as a process (the built CLI, as npm run simulate runs it)', () => {
    beforeAll(() => ensureCliBuilt(), 240_000);

    it('sends a product.created and prints the answer', async () => {
      const productId = stripeId('prod');
      const run = await runCli(['simulate', 'stripe', 'product.created', '--product', productId, '--name', 'Via process'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('← 200 {"received":true,"outcome":"processed"}');
      await reader.waitFor(topics.foreignProducts, (m) => text(m.key)?.includes(productId) ?? false);
    });

    it('sends an SMS with the words joined, --from required', async () => {
      const run = await runCli(['simulate', 'sms', 'HELP', '--from', demo.activeClient.phoneNumber!], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('<Message>Reply COMMANDS for help');
      const missing = await runCli(['simulate', 'sms', 'HELP'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("required option '--from <phone>' not specified");
    });
  });
});
