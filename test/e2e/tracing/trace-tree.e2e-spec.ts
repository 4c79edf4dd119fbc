// Traces from the webhook request to the SMS: the webhooks app and the notifier run in this process
// against the real stack (Kafka, Redis, stripe-mock), the gateway with OIDC, the gRPC
// LocalizationApi and the Twilio sink, with an in-memory span exporter registered as the SDK would
// be; the broadcaster, which fans a CONFIRM out, is the built app in a process of its own, exporting
// its spans over OTLP as deployed. The propagation between the apps goes through real Kafka
// headers; nothing is shared in memory but the exporter.
import { jest } from '@jest/globals';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { BROADCAST_REQUESTED, decodeBroadcastRecord } from '@app/shared/broadcast/broadcast-records.js';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { startLocalizationServer, type LocalizationServer } from '../../../peers/localization/localization-server.js';
import { startTwilioSink, type SinkMessage, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { spawnBroadcaster, type AppProcess } from '../../support/app-process.js';
import { baseBroadcasterEnv } from '../../support/broadcaster-app.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_MESSAGING_SERVICE_SID, sendSmsJson } from '../../support/notifier/events.js';
import { collect, plainKafka, produce } from '../../support/notifier/kafka.js';
import { deliver } from '../../support/stripe/stripe-harness.js';
import { WEBHOOK_SECRET, checkoutSessionObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';
import { RESULTS_DIR } from '../../support/figures.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import {
  API_KEY,
  AUTH_TOKEN,
  activate,
  sendSms,
  sms,
  startTwilioPeers,
  until,
  type TwilioPeers,
} from '../../support/twilio/twilio-support.js';
import { installMemoryTracing, parentIdOf, spanTree, type MemoryTracing } from '../../support/tracing/memory-tracing.js';
import { startOtlpCollector, type OtlpCollector } from '../../support/tracing/otlp-collector.js';

jest.setTimeout(90_000);

const PHONE = { client: '+15550007101', fan: '+15550007102', csharpRecipient: '+15550007103' };

describe('traces from webhook request to Twilio send', () => {
  const tracing: MemoryTracing = installMemoryTracing(); // before any app code creates a span
  let peers: TwilioPeers;
  let localization: LocalizationServer;
  let sink: TwilioSink;
  let webhooks: RunningWebhooks;
  let notifier: RunningNotifier;
  let broadcaster: AppProcess;
  let collector: OtlpCollector;
  const paymentsTopic = uniqueName('trace-payments');
  const trees: string[] = [];

  beforeAll(async () => {
    peers = await startTwilioPeers('trace');
    [localization, sink, collector] = await Promise.all([
      startLocalizationServer(),
      startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN }),
      startOtlpCollector(),
    ]);
    const stack = stackEnv();
    webhooks = await startWebhooksApp({
      ...peers.env,
      // The fan-out of one subscriber ends well within this: the CONFIRM reply carries the count.
      BROADCAST_REPLY_WITHIN_MS: '10000',
      LOCALIZATION_API_URL: localization.url,
      KAFKA_TOPIC_PAYMENTS: paymentsTopic,
      WEBHOOKS_API_KEY: API_KEY,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      STRIPE_WEBHOOKS_SECRET: WEBHOOK_SECRET,
    });
    notifier = await startNotifier({
      env: {
        Kafka__BrokerList: stack.Kafka__BrokerList,
        REDIS_URL: stack.REDIS_URL,
        REDIS_KEY_PREFIX: `${uniqueName('trace-notifier')}:`,
        KAFKA_TOPIC_NOTIFICATIONS: peers.topic,
        KAFKA_TOPIC_DEADLETTER: `${peers.topic}-deadletter`,
        KAFKA_CONSUMER_GROUP: uniqueName('trace-notifier'),
        NOTIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
        TWILIO_API_URL: sink.url,
        LOCALIZATION_API_URL: localization.url,
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
    broadcaster = await spawnBroadcaster({ ...baseBroadcasterEnv(), ...peers.env, ...collector.env, LOG_LEVEL: 'info' }, 'trace-tree');
    await broadcaster.waitForOutput(/"msg":"broadcaster started"/, 60_000);
  });

  afterAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'trace-tree.txt'), `${trees.join('\n\n')}\n`);
    broadcaster?.kill('SIGTERM');
    await broadcaster?.exited;
    await notifier?.stop();
    await webhooks?.stop();
    await Promise.all([sink?.stop(), localization?.stop(), peers?.stop(), collector?.stop()]);
    await tracing.shutdown();
  });

  const spansOf = (traceId: string) => tracing.spans().filter((s) => s.spanContext().traceId === traceId);
  const idOf = (span: ReadableSpan) => span.spanContext().spanId;
  const one = (spans: ReadableSpan[], predicate: (s: ReadableSpan) => boolean, what: string): ReadableSpan => {
    const found = spans.filter(predicate);
    if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}:\n${spans.map((s) => s.name).join('\n')}`);
    return found[0]!;
  };
  const named = (name: string, kind: SpanKind) => (s: ReadableSpan) => s.name === name && s.kind === kind;

  /** The SMS to `to`, then every span of its trace once the notifier's consume span has ended. */
  async function traceOfSmsTo(to: string): Promise<{ sms: SinkMessage; traceId: string; spans: ReadableSpan[] }> {
    await sink.waitFor((s) => s.messages.some((m) => m.to === to), 30_000, `an SMS to ${to}`);
    const sms = sink.messages.find((m) => m.to === to)!;
    const sendSpan = () => tracing.spans().find((s) => s.attributes['nudges.twilio.message_sid'] === sms.sid);
    const consumeEnded = () => spansOf(sendSpan()!.spanContext().traceId).some((s) => s.kind === SpanKind.CONSUMER);
    await until(() => sendSpan() !== undefined && consumeEnded(), 15_000, 'the Twilio send and consume spans');
    const traceId = sendSpan()!.spanContext().traceId;
    return { sms, traceId, spans: spansOf(traceId) };
  }

  /** Asserts the notifier's half of a trace: consume → localization gRPC, consume → Twilio send. */
  function expectNotifierSpans(spans: ReadableSpan[], sms: SinkMessage): ReadableSpan {
    const consume = one(spans, named(`process ${peers.topic}`, SpanKind.CONSUMER), 'consume span');
    expect(consume.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': peers.topic,
      'nudges.delivery.outcome': 'delivered',
    });
    const grpc = spans.filter(
      (s) => s.name === 'localization.LocalizationGrpcService/GetLocalizedString' && parentIdOf(s) === idOf(consume),
    );
    expect(grpc).toHaveLength(1);
    expect(grpc[0]!.kind).toBe(SpanKind.CLIENT);
    expect(grpc[0]!.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.method': 'GetLocalizedString', 'rpc.grpc.status_code': 0 });
    const send = one(spans, named('Twilio messages.create', SpanKind.CLIENT), 'Twilio send span');
    expect(parentIdOf(send)).toBe(idOf(consume));
    expect(send.attributes['nudges.twilio.message_sid']).toBe(sms.sid);
    return consume;
  }

  /** No attribute of any span carries a phone number, the SMS text or a secret. */
  function expectNothingSensitive(spans: ReadableSpan[], texts: string[]): void {
    const values = spans.flatMap((s) => Object.values(s.attributes).map(String));
    for (const secret of [...Object.values(PHONE), API_KEY, AUTH_TOKEN, TEST_AUTH_TOKEN, ...texts]) {
      expect(values.filter((v) => v.includes(secret))).toEqual([]);
    }
  }

  it('Twilio draft + CONFIRM: request → GraphQL → produce to the broadcasts topic → the broadcaster’s steps → notifier consume → localization → Twilio send, one trace', async () => {
    const store = peers.gateway.store;
    const client = store.addClient({ name: 'Trace Books', slug: 'trace-books', phoneNumber: PHONE.client, locale: 'en-US' });
    activate(store, client);
    store.addSubscriber({ phoneNumber: PHONE.fan, locale: 'en-US', clientIds: [client.id] });
    const text = `Traced news ${randomBytes(4).toString('hex')}`;
    const broadcastsTopic = peers.env.KAFKA_TOPIC_BROADCASTS!;
    const kafka = plainKafka(stackEnv().Kafka__BrokerList);
    const [broadcasts, notificationsRead] = await Promise.all([collect(kafka, broadcastsTopic), collect(kafka, peers.topic)]);
    try {
      expect((await sendSms(webhooks.url, sms(PHONE.client, text))).status).toBe(200);
      expect((await sendSms(webhooks.url, sms(PHONE.client, 'CONFIRM'))).message).toBe('Sent to 1 subscribers');

      // The CONFIRM's trace: the request, the sender lookups and the produce of the broadcast request.
      const request = one(tracing.spans(), (s) => s.attributes['nudges.twilio.command'] === 'Confirm', 'CONFIRM request span');
      const confirmTraceId = request.spanContext().traceId;
      const confirmSpans = spansOf(confirmTraceId);
      expect(parentIdOf(request)).toBeUndefined();
      expect(request).toMatchObject({ name: 'POST /api/TwilioWebhookHandler', kind: SpanKind.SERVER });
      expect(request.attributes).toMatchObject({
        'nudges.webhook.endpoint': 'TwilioWebhookHandler',
        'http.request.method': 'POST',
        'http.response.status_code': 200,
      });
      const graphql = confirmSpans.filter((s) => s.name.startsWith('GraphQL ') && s.kind === SpanKind.CLIENT);
      expect(graphql.map((s) => s.name)).toContain('GraphQL ClientByPhoneNumber');
      expect(graphql.map((s) => s.name)).not.toContain('GraphQL ClientSubscribersPage'); // the broadcaster pages
      for (const call of graphql) expect(parentIdOf(call)).toBe(idOf(request));
      const produce = one(confirmSpans, named(`send ${broadcastsTopic}`, SpanKind.PRODUCER), 'produce span');
      expect(parentIdOf(produce)).toBe(idOf(request));
      expect(produce.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': broadcastsTopic });
      // In this process the trace has no consumer span but the notifier's (the broadcaster's are in its own).
      expect(confirmSpans.filter((s) => s.kind === SpanKind.CONSUMER && s.name !== `process ${peers.topic}`)).toEqual([]);
      // The broadcast request carries the produce span's context to the broadcaster.
      const [requested] = await broadcasts.waitFor(1, 15_000);
      const decoded = decodeBroadcastRecord(requested!.value);
      expect(decoded.ok && decoded.record.type === BROADCAST_REQUESTED && decoded.record.request.text).toBe(text);
      expect(requested!.headers?.traceparent?.toString()).toBe(`00-${confirmTraceId}-${idOf(produce)}-01`);

      // The SMS the fan-out led to. The broadcaster continues the CONFIRM's trace (a consume span
      // per step, a produce span per chunk, exported over OTLP by its own process) and writes the
      // trace headers on its SendSms, so the notifier's consume span joins the CONFIRM's trace,
      // under the broadcaster's produce span.
      const { sms: delivered, traceId, spans } = await traceOfSmsTo(PHONE.fan);
      expect(delivered.body).toContain(text);
      expect(traceId).toBe(confirmTraceId);
      const [sendSmsRecord] = await notificationsRead.waitFor(1, 15_000);
      expect(sendSmsRecord!.value?.toString()).toContain(text);
      const traceparent = sendSmsRecord!.headers?.traceparent?.toString() ?? '';
      expect(traceparent).toMatch(new RegExp(`^00-${confirmTraceId}-[0-9a-f]{16}-01$`));
      const twilioSend = spans.find((sp) => sp.attributes['nudges.twilio.message_sid'] === delivered.sid)!;
      const ofThisSms = spans.filter((sp) => idOf(sp) === parentIdOf(twilioSend) || parentIdOf(sp) === parentIdOf(twilioSend));
      const consume = expectNotifierSpans(ofThisSms, delivered);
      expect(parentIdOf(consume)).toMatch(/^[0-9a-f]{16}$/);
      expect(tracing.spans().some((sp) => idOf(sp) === parentIdOf(consume))).toBe(false); // the broadcaster's span, not this process's
      expectNothingSensitive([...confirmSpans, ...spans], [text]);
      // The broadcaster's own spans (its steps, and its gateway paging from the page-reading
      // thread, which exports on its own) reach its collector, not this process's.
      await until(() => collector.exported().includes('GraphQL ClientSubscribersPage'), 15_000, 'the broadcaster’s paging span');
      await until(() => collector.exported().includes(`process ${broadcastsTopic}`), 15_000, 'the broadcaster’s step span');
      expect(collector.exported()).toContain('broadcaster'); // service.name
      for (const secret of [PHONE.fan, PHONE.client, text]) expect(collector.exported()).not.toContain(secret);
      trees.push(
        `# Twilio draft + CONFIRM (trace ${confirmTraceId})\n${spanTree(tracing.spans(), confirmTraceId)}\n\n` +
          `# (the fan-out's steps are spans of the broadcaster's process, exported over OTLP; the notifier's consume spans above hang under them)`,
      );
    } finally {
      await Promise.all([broadcasts.stop(), notificationsRead.stop()]);
    }
  });

  it('a notification with a C#-style traceparent header continues that trace in the notifier', async () => {
    const traceId = randomBytes(16).toString('hex');
    const csharpSpanId = randomBytes(8).toString('hex');
    await produce(plainKafka(stackEnv().Kafka__BrokerList), peers.topic, [
      {
        key: '{"eventType":"SendSms"}',
        value: sendSmsJson(PHONE.csharpRecipient, 'WelcomeMessage', 'es-ES'),
        headers: { traceparent: Buffer.from(`00-${traceId}-${csharpSpanId}-01`), tracestate: Buffer.from('nudges=api') },
      },
    ]);
    const { sms: delivered, traceId: seen, spans } = await traceOfSmsTo(PHONE.csharpRecipient);
    expect(seen).toBe(traceId);
    const consume = expectNotifierSpans(spans, delivered);
    expect(parentIdOf(consume)).toBe(csharpSpanId);
    expect(consume.spanContext().traceState?.get('nudges')).toBe('api');
    trees.push(
      `# C#-produced notification (trace ${traceId}, parent span ${csharpSpanId} in the C# producer)\n${spanTree(tracing.spans(), traceId)}`,
    );
  });

  it('Stripe checkout.session.completed: request → Stripe API reads, GraphQL → Kafka produce with traceparent on the record', async () => {
    const url = new URL(stackEnv().STRIPE_API_URL);
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
    const priceId = (await stripe.checkout.sessions.listLineItems('cs_test_probe')).data[0]?.price?.id ?? '';
    const plan = peers.gateway.store.addPlan({ name: 'Traced Pro', foreignServiceId: stripeId('prod') });
    peers.gateway.store.addPriceTier(plan.id, { name: 'Monthly', price: 10, foreignServiceId: priceId });
    const customerId = stripeId('cus');
    peers.gateway.store.addClient({ name: `Client ${customerId}`, customerId });
    const payments = await collect(plainKafka(stackEnv().Kafka__BrokerList), paymentsTopic);
    try {
      const event = stripeEvent('checkout.session.completed', checkoutSessionObject({ customer: customerId }));
      const answer = await deliver(`${webhooks.url}/api/StripeWebhookHandler?code=${API_KEY}`, event);
      expect(answer.status).toBe(200);
      const [record] = await payments.waitFor(1, 15_000);

      const request = one(tracing.spans(), (s) => s.attributes['nudges.stripe.event_id'] === event.id, 'Stripe request span');
      const traceId = request.spanContext().traceId;
      const spans = spansOf(traceId);
      expect(request).toMatchObject({ name: 'POST /api/StripeWebhookHandler', kind: SpanKind.SERVER });
      expect(request.attributes).toMatchObject({
        'nudges.stripe.event_type': 'checkout.session.completed',
        'http.response.status_code': 200,
      });
      const stripeCalls = spans.filter((s) => s.name.startsWith('Stripe ') && s.kind === SpanKind.CLIENT);
      expect(stripeCalls.map((s) => s.attributes['nudges.stripe.operation'])).toContain('checkout.sessions.listLineItems');
      for (const call of stripeCalls) expect(parentIdOf(call)).toBe(idOf(request));
      const graphql = spans.filter((s) => s.name.startsWith('GraphQL ') && parentIdOf(s) === idOf(request));
      expect(graphql.length).toBeGreaterThanOrEqual(2);
      const produce = one(spans, named(`send ${paymentsTopic}`, SpanKind.PRODUCER), 'produce span');
      expect(parentIdOf(produce)).toBe(idOf(request));
      expect(record!.headers?.traceparent?.toString()).toBe(`00-${traceId}-${idOf(produce)}-01`);
      trees.push(`# Stripe checkout.session.completed (trace ${traceId})\n${spanTree(tracing.spans(), traceId)}`);
    } finally {
      await payments.stop();
    }
  });
});
