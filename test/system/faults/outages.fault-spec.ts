// Scenario 7, dependency outages: Redis, the GraphQL gateway, the LocalizationApi and Kafka go away
// one after the other while both endpoints of the webhooks process receive work, with the
// broadcaster process beside it that fans a CONFIRM out. Each endpoint must answer 5xx where the
// sender should retry (or tell the client, keeping the draft), then recover by itself once the
// dependency is back: same PIDs, the sender's retry succeeds, nothing lost or doubled.
import { jest } from '@jest/globals';
import { startLocalizationServer, type LocalizationServer } from '../../../peers/localization/localization-server.js';
import { findResource, formatWithReplacements } from '../../../peers/localization/dotnet-behaviour.js';
import { DEFAULT_RESOURCES } from '../../../peers/localization/resources.js';
import type { ClientRecord } from '../../../peers/gateway/store.js';
import { reportFigures } from '../../support/figures.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { startComponent, stopComponent, uniqueName } from '../../support/stack.js';
import { KafkaReader } from '../../support/stripe/kafka-reader.js';
import { deliver, outcomeOf } from '../../support/stripe/stripe-harness.js';
import { productObject, stripeEvent, stripeId } from '../../support/stripe/stripe-fixtures.js';
import { activate, catalogText, CommittedNotifications, sendSms, sms } from '../../support/twilio/twilio-support.js';
import {
  acceptedAs,
  broadcastDeliveries,
  confirmUntilAccepted,
  outcomesToldToClient,
  startBroadcasterProcess,
  type BroadcasterProcess,
} from '../../support/faults/broadcaster-process.js';
import { draftOf as draftOfClient } from '../../support/faults/webhooks-drafts.js';
import {
  retryUntil2xx,
  stackTraceLines,
  startWebhooksProcess,
  type RetriedDelivery,
  type RetryPolicy,
  type WebhooksProcess,
} from '../../support/faults/webhooks-process.js';

jest.setTimeout(180_000);

const SUBSCRIBERS = 50;
/** The senders' retries after the dependency is back: compressed Stripe/Twilio backoff, up to ~1 minute. */
const RECOVERY_RETRIES: RetryPolicy = { baseMs: 100, maxMs: 2_000, maxAttempts: 40 };

interface Answer {
  status: number;
  body: string;
  ms: number;
}

async function timed(send: () => Promise<{ status: number; body: string }>): Promise<Answer> {
  const started = Date.now();
  const answer = await send().catch(() => ({ status: 0, body: '' }));
  return { ...answer, ms: Date.now() - started };
}

describe('fault scenario 7: dependency outages', () => {
  const base = uniqueName('outages');
  const topics = { notifications: `${base}-notifications`, foreignProducts: `${base}-foreign-products`, broadcasts: `${base}-broadcasts` };
  const redisPrefix = `${base}:`;
  let peers: GatewayPeers;
  let localization: LocalizationServer;
  let webhooks: WebhooksProcess;
  let broadcaster: BroadcasterProcess;
  let pid: number;
  let broadcasterPid: number;
  let productEvents = 0;

  beforeAll(async () => {
    peers = await startGatewayPeers();
    localization = await startLocalizationServer();
    // What the webhooks process and the broadcaster serving it share.
    const shared = {
      ...peers.env,
      KAFKA_TOPIC_NOTIFICATIONS: topics.notifications,
      KAFKA_TOPIC_BROADCASTS: topics.broadcasts,
      KAFKA_TOPIC_DEADLETTER: `${base}-deadletter`,
      BROADCAST_CONSUMER_GROUP: `${base}-fanout`,
      REDIS_KEY_PREFIX: redisPrefix,
    };
    webhooks = await startWebhooksProcess(
      {
        ...shared,
        LOCALIZATION_API_URL: localization.url,
        KAFKA_TOPIC_PAYMENTS: `${base}-payments`,
        KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
      },
      'outages',
    );
    broadcaster = await startBroadcasterProcess(shared, 'outages');
    pid = webhooks.proc.pid;
    broadcasterPid = broadcaster.proc.pid;
  }, 120_000);

  afterAll(async () => {
    await broadcaster?.stop();
    await webhooks?.stop();
    await localization?.stop();
    await peers?.stop();
  });

  /** A client with an active subscription and SUBSCRIBERS subscribers, texting from its own number. */
  function newClient(name: string): { client: ClientRecord; phone: string } {
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const client = peers.gateway.store.addClient({ name, phoneNumber: phone, locale: 'en-US' });
    activate(peers.gateway.store, client);
    peers.gateway.store.seedSubscribers(client.id, SUBSCRIBERS, {
      phonePrefix: `+1${String(Math.floor(Math.random() * 900) + 100)}`,
      localeOf: () => 'en-US',
    });
    return { client, phone };
  }

  /** A product.updated for a plan linked to the product: gateway, Redis and Kafka all take part. */
  function productUpdate() {
    const productId = stripeId('prod');
    const plan = peers.gateway.store.addPlan({ name: 'Before outage', foreignServiceId: productId });
    const event = stripeEvent('product.updated', productObject({ id: productId, name: `Renamed ${productId}` }));
    productEvents += 1;
    return { productId, plan, event };
  }

  const twilioUrl = () => webhooks.url;
  const stripeSend = (event: object) => () => deliver(webhooks.stripeEndpoint, JSON.stringify(event));

  const draftOf = (phone: string) => draftOfClient(redisPrefix, phone);

  async function productMessages(productId: string): Promise<number> {
    const reader = await KafkaReader.start([topics.foreignProducts]);
    try {
      await reader.waitFor(topics.foreignProducts, (m) => m.key?.includes(productId) ?? false, 1, 20_000);
      return reader.read(topics.foreignProducts, (m) => m.key?.includes(productId) ?? false).length;
    } finally {
      await reader.stop();
    }
  }

  /**
   * The common part of every outage: during it, a Stripe event and a client's draft SMS; after it,
   * the senders retry the same requests until 2xx. Returns what was answered and when.
   */
  async function outage(name: string, down: () => Promise<void>, up: () => Promise<void>) {
    const { client, phone } = newClient(`Outage ${name}`);
    const stripe = productUpdate();
    const text = `Outage ${name} draft ${Date.now()}`;
    const draftSms = sms(phone, text);

    await down();
    const stripeDuring = await timed(stripeSend(stripe.event));
    const twilioDuring = await timed(() => sendSms(twilioUrl(), draftSms));
    const draftDuring = name === 'redis' ? null : await draftOf(phone);
    const upStarted = Date.now();
    await up();
    const restored = Date.now();
    const [stripeAfter, twilioAfter] = await Promise.all([
      retryUntil2xx(stripeSend(stripe.event), RECOVERY_RETRIES),
      retryUntil2xx(() => sendSms(twilioUrl(), draftSms), RECOVERY_RETRIES),
    ]);
    const recoveryMs = Math.max(stripeAfter.latencyMs, twilioAfter.latencyMs);
    return {
      client,
      phone,
      stripe,
      text,
      stripeDuring,
      twilioDuring,
      draftDuring,
      stripeAfter,
      twilioAfter,
      recoveryMs,
      restartMs: restored - upStarted,
    };
  }

  async function report(dependency: string, o: Awaited<ReturnType<typeof outage>>, extra: Record<string, unknown> = {}) {
    const planRenamed = peers.gateway.store.plans.get(o.stripe.plan.id)?.name === `Renamed ${o.stripe.productId}`;
    const draftKept = (await draftOf(o.phone)) === o.text;
    const published = await productMessages(o.stripe.productId);
    const figures = {
      scenario: `outage:${dependency}`,
      sent: 2,
      delivered: Number(planRenamed && published >= 1) + Number(draftKept),
      duplicated: Math.max(0, published - 1),
      lost: Number(!planRenamed || published === 0) + Number(!draftKept),
      deadLettered: 0,
      maxLatencyMs: Math.max(o.stripeDuring.ms, o.twilioDuring.ms),
      stripeDuring: o.stripeDuring.status,
      twilioDuring: o.twilioDuring.status,
      stripeAfter: statusesOf(o.stripeAfter),
      twilioAfter: statusesOf(o.twilioAfter),
      stripeOutcomeAfter: outcomeOf({ status: 200, body: o.stripeAfter.finalBody }),
      recoveryMs: o.recoveryMs,
      dependencyRestartMs: o.restartMs,
      gatewayPatchesApplied: patchesOf(o.stripe.plan.id),
      samePid: webhooks.proc.pid === pid && webhooks.proc.child.exitCode === null,
      broadcasterSamePid: broadcasterAlive(),
      ...extra,
    };
    reportFigures('faults', figures);
    return { figures, draftKept, planRenamed, published };
  }

  const patchesOf = (planId: number) =>
    peers.gateway.mutations.filter((m) => m.field === 'patchPlan' && String(m.input['id']) === String(planId) && m.outcome === 'applied')
      .length;
  const broadcasterAlive = () => broadcaster.proc.pid === broadcasterPid && broadcaster.proc.child.exitCode === null;
  const statusesOf = (r: RetriedDelivery) => r.statuses.join(',');
  const last = (r: RetriedDelivery) => r.statuses.at(-1);
  /** The LocalizationApi stand-in's (its own texts, like the real server) prompt for a draft. */
  const draftPrompt = (text: string) =>
    formatWithReplacements(findResource(DEFAULT_RESOURCES, 'AnnouncementConfirm', 'en-US')!, { smsBody: text });
  /** The reply to a draft: the prompt, then the segments line (a key the server lacks: the embedded catalog's). */
  const draftReply = (text: string, segments = 1) =>
    `${draftPrompt(text)}\n${catalogText('AnnouncementSegments', 'en-US', { segments: String(segments) })}`;

  it('Redis down: both endpoints answer 500, the retries succeed once it is back', async () => {
    const o = await outage(
      'redis',
      () => stopComponent('redis'),
      () => startComponent('redis'),
    );
    const { figures, draftKept, planRenamed, published } = await report('redis', o);
    expect(o.stripeDuring.status).toBe(500);
    expect(o.twilioDuring.status).toBe(500);
    expect(o.stripeDuring.body).toBe('Internal Server Error');
    expect(last(o.stripeAfter)).toBe(200);
    expect(figures.stripeOutcomeAfter).toBe('processed');
    expect(last(o.twilioAfter)).toBe(200);
    expect(o.twilioAfter.finalBody).toContain(draftPrompt('').split('\n').at(-1)!);
    expect(draftKept).toBe(true);
    expect(planRenamed).toBe(true);
    expect(published).toBe(1);
    expect(figures.samePid).toBe(true);
    expect(figures.broadcasterSamePid).toBe(true);
  });

  it('gateway down: both endpoints answer 500, the retries succeed once it is back', async () => {
    const o = await outage(
      'gateway',
      async () => peers.gateway.setDown(true),
      async () => peers.gateway.setDown(false),
    );
    const { figures, draftKept, planRenamed, published } = await report('gateway', o);
    expect(o.stripeDuring.status).toBe(500);
    expect(o.twilioDuring.status).toBe(500);
    expect(o.draftDuring).toBeNull();
    expect(last(o.stripeAfter)).toBe(200);
    expect(figures.stripeOutcomeAfter).toBe('processed');
    expect(last(o.twilioAfter)).toBe(200);
    expect(draftKept).toBe(true);
    expect(planRenamed).toBe(true);
    expect(published).toBe(1);
    expect(figures.gatewayPatchesApplied).toBe(1);
    expect(figures.samePid).toBe(true);
    expect(figures.broadcasterSamePid).toBe(true);
  });

  it('LocalizationApi down: Twilio answers 500 (Stripe does not need it), the retry succeeds once it is back', async () => {
    const port = localization.port;
    const o = await outage(
      'localization',
      () => localization.stop(),
      async () => {
        localization = await startLocalizationServer({ port });
      },
    );
    const { figures, draftKept, planRenamed, published } = await report('localization', o);
    expect(o.stripeDuring.status).toBe(200);
    expect(o.twilioDuring.status).toBe(500);
    expect(o.twilioDuring.body).toBe('Internal Server Error');
    expect(last(o.twilioAfter)).toBe(200);
    expect(o.twilioAfter.statuses).not.toContain(0);
    expect(draftKept).toBe(true);
    expect(planRenamed).toBe(true);
    expect(published).toBe(1);
    expect(figures.samePid).toBe(true);
    expect(figures.broadcasterSamePid).toBe(true);
  });

  it('Kafka down: Stripe answers 500, CONFIRM keeps the draft; after it the retry publishes once and CONFIRM broadcasts once', async () => {
    const { phone } = newClient('Outage kafka');
    const text = `Kafka outage announcement ${Date.now()}`;
    expect((await sendSms(twilioUrl(), sms(phone, text))).message).toBe(draftReply(text));
    const stripe = productUpdate();

    await stopComponent('kafka');
    const stripeDuring = await timed(stripeSend(stripe.event));
    const confirmDuring = await timed(() => sendSms(twilioUrl(), sms(phone, 'CONFIRM')));
    const draftDuring = await draftOf(phone);
    const upStarted = Date.now();
    await startComponent('kafka');
    const restored = Date.now();
    const stripeAfter = await retryUntil2xx(stripeSend(stripe.event), RECOVERY_RETRIES);
    // The broadcaster may still be rejoining its group: the reply is then "sending" and the count follows by SMS.
    const confirmAfter = await confirmUntilAccepted(twilioUrl(), phone, RECOVERY_RETRIES);

    const notifications = new CommittedNotifications(topics.notifications);
    await notifications.start();
    try {
      const { records, distinct, completions } = await broadcastDeliveries(notifications, {
        text,
        subscribers: SUBSCRIBERS,
        clientPhone: phone,
        reply: confirmAfter.finalBody,
        timeoutMs: 120_000,
      });
      const told = outcomesToldToClient(confirmAfter.finalBody, completions);
      const published = await productMessages(stripe.productId);
      const figures = {
        scenario: 'outage:kafka',
        sent: 1 + SUBSCRIBERS,
        delivered: Number(published >= 1) + distinct,
        duplicated: Math.max(0, published - 1) + records.length - distinct,
        lost: Number(published === 0) + SUBSCRIBERS - distinct,
        deadLettered: 0,
        maxLatencyMs: Math.max(stripeDuring.ms, confirmDuring.ms),
        stripeDuring: stripeDuring.status,
        twilioDuring: confirmDuring.status,
        twilioDuringReply: confirmDuring.status === 200 ? 'MessageException' : 'none',
        draftKeptDuring: draftDuring === text,
        stripeAfter: statusesOf(stripeAfter),
        confirmAttemptsAfter: confirmAfter.statuses.length,
        confirmReplyAfter: acceptedAs(confirmAfter.finalBody) ?? 'refused',
        completionSms: completions.length,
        recoveryMs: Math.max(stripeAfter.latencyMs, confirmAfter.latencyMs),
        dependencyRestartMs: restored - upStarted,
        gatewayPatchesApplied: patchesOf(stripe.plan.id),
        samePid: webhooks.proc.pid === pid && webhooks.proc.child.exitCode === null,
        broadcasterSamePid: broadcasterAlive(),
      };
      reportFigures('faults', figures);

      expect(stripeDuring.status).toBe(500);
      expect(confirmDuring.status).toBe(200);
      expect(confirmDuring.body).toContain('Sorry, something went wrong');
      expect(draftDuring).toBe(text);
      expect(last(stripeAfter)).toBe(200);
      expect(acceptedAs(confirmAfter.finalBody)).toBeDefined();
      expect(told).toEqual([`Sent to ${SUBSCRIBERS} subscribers`]); // by the reply or by one SMS
      expect(records).toHaveLength(SUBSCRIBERS);
      expect(figures.lost).toBe(0);
      expect(figures.duplicated).toBe(0);
      expect(peers.gateway.store.plans.get(stripe.plan.id)?.name).toBe(`Renamed ${stripe.productId}`);
      expect(await draftOf(phone)).toBeNull();
      expect(figures.samePid).toBe(true);
      expect(figures.broadcasterSamePid).toBe(true);
      expect(figures.broadcasterSamePid).toBe(true);
      expect(productEvents).toBe(4);
    } finally {
      await notifications.stop();
    }
  });

  it('logged no stack trace while its dependencies were away', () => {
    expect(stackTraceLines(webhooks.proc).slice(0, 3)).toEqual([]);
    expect(stackTraceLines(broadcaster.proc).slice(0, 3)).toEqual([]);
  });
});
