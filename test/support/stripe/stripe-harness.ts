// Boots, per test file: the OIDC stand-in, the test GraphQL gateway, optionally fault proxies in
// front of the gateway and stripe-mock, the real webhooks app (unique topics and Redis prefix), and
// a Kafka reader on the Stripe topics.
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@app/shared/metrics/metrics.registry.js';
import { startGateway, type TestGateway } from '../../../peers/gateway/gateway-server.js';
import { parseMetrics, type Sample } from '../metrics/scrape.js';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../../peers/oidc/oidc-server.js';
import { stackEnv, uniqueName } from '../stack.js';
import { startWebhooksApp, type RunningWebhooks } from '../webhooks-app.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { KafkaReader } from './kafka-reader.js';
import { signatureFor, type StripeEventPayload } from './stripe-fixtures.js';
import { TEST_SECRETS } from '../test-secrets.js';

export const API_KEY = TEST_SECRETS.webhooksApiKey;

export interface StripeTopics {
  payments: string;
  foreignProducts: string;
  deadletter: string;
}

export interface StripeHarness {
  oidc: OidcServer;
  gateway: TestGateway;
  webhooks: RunningWebhooks;
  topics: StripeTopics;
  redisPrefix: string;
  kafka: KafkaReader;
  /** Present when started with `gatewayProxy: true`: sits between the app and the gateway. */
  gatewayProxy?: FaultProxy;
  /** Present when started with `stripeProxy: true`: sits between the app and stripe-mock. */
  stripeProxy?: FaultProxy;
  /** The endpoint URL with the API key. */
  endpoint: string;
  /** The app's metrics as its /metrics renders them (read from its registry, whichever port serves it). */
  metrics(): Promise<MetricsReading>;
  stop(): Promise<void>;
}

export interface MetricsReading {
  /** How much the series `name` with exactly `labels` moved since `before` (absent counts as 0). */
  delta(before: MetricsReading, name: string, labels: Record<string, string>): number;
  value(name: string, labels: Record<string, string>): number;
}

function readingOf(samples: Sample[]): MetricsReading {
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  const value = (name: string, labels: Record<string, string>) =>
    samples.find((s) => s.name === name && same(s.labels, labels))?.value ?? 0;
  return { value, delta: (before, name, labels) => value(name, labels) - before.value(name, labels) };
}

export interface HarnessOptions {
  gatewayProxy?: boolean;
  stripeProxy?: boolean;
  env?: Record<string, string>;
}

export async function startStripeHarness(name: string, options: HarnessOptions = {}): Promise<StripeHarness> {
  const oidc = await startOidcServer({ realm: 'nudges' });
  const gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, slowMs: 400 });
  const gatewayProxy = options.gatewayProxy ? await startFaultProxy(gateway.url) : undefined;
  const stripeProxy = options.stripeProxy ? await startFaultProxy(stackEnv().STRIPE_API_URL) : undefined;
  const base = uniqueName(name);
  const topics = { payments: `${base}-payments`, foreignProducts: `${base}-foreign-products`, deadletter: `${base}-deadletter` };
  const redisPrefix = `${base}:`;
  const webhooks = await startWebhooksApp({
    KAFKA_TOPIC_NOTIFICATIONS: `${base}-notifications`,
    KAFKA_TOPIC_PAYMENTS: topics.payments,
    KAFKA_TOPIC_FOREIGN_PRODUCTS: topics.foreignProducts,
    KAFKA_TOPIC_DEADLETTER: topics.deadletter,
    KAFKA_TOPIC_PARTITIONS: '1',
    REDIS_KEY_PREFIX: redisPrefix,
    GRAPHQL_API_URL: gatewayProxy?.url ?? gateway.url,
    GRAPHQL_TIMEOUT_MS: '3000',
    Oidc__ServerUrl: oidc.serverUrl,
    Oidc__Realm: oidc.realm,
    Oidc__ClientId: DEFAULT_OIDC_CLIENT.clientId,
    Oidc__ClientSecret: DEFAULT_OIDC_CLIENT.clientSecret,
    ...(stripeProxy ? { STRIPE_API_URL: stripeProxy.url } : {}),
    ...options.env,
  });
  const kafka = await KafkaReader.start(Object.values(topics));
  return {
    oidc,
    gateway,
    webhooks,
    topics,
    redisPrefix,
    kafka,
    gatewayProxy,
    stripeProxy,
    endpoint: `${webhooks.url}/api/StripeWebhookHandler?code=${API_KEY}`,
    metrics: async () => readingOf(parseMetrics(await webhooks.app.get<symbol, Registry>(METRICS_REGISTRY, { strict: false }).metrics())),
    stop: async () => {
      await kafka.stop();
      await webhooks.stop();
      await Promise.all([gateway.stop(), oidc.stop(), gatewayProxy?.stop(), stripeProxy?.stop()]);
    },
  };
}

export interface Delivery {
  status: number;
  body: string;
}

/** Delivers an event as Stripe does: JSON body, `Stripe-Signature` over the exact bytes. */
export async function deliver(
  endpoint: string,
  event: StripeEventPayload | string,
  headers: Record<string, string> = {},
): Promise<Delivery> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': signatureFor(body),
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      ...headers,
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}

/** The `outcome` of a 200 answer. */
export const outcomeOf = (delivery: Delivery): string => (JSON.parse(delivery.body) as { outcome: string }).outcome;
