#!/usr/bin/env node
// `npm run demo`: the whole messaging edge on one machine, on embedded defaults.
// Starts the local stack (Kafka, Redis, stripe-mock), the OIDC and GraphQL gateway stand-ins with
// demo data, the notifier (LocalNotifier: SMS are printed, not sent), the broadcaster (the
// announcement fan-out) and the webhooks service;
// then pushes sample traffic through:
//   1. two SendSms events written to Kafka exactly as a C# producer writes them (en-US, es-ES);
//   2. signed Stripe events (through `npm run simulate`): a product, a price and a checkout;
//   3. a client texting an announcement and confirming it, which the broadcaster fans out to its
//      subscribers.
// It prints every SMS the notifier would have sent and exits 0 when all expected SMS appeared.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { build, ensureNodeModules, repo, step } from './lib/setup.mjs';
import { down, stackEnv, up } from './stack.mjs';

const ports = {
  webhooks: Number(process.env.DEMO_WEBHOOKS_PORT ?? 15000),
  webhooksInternal: Number(process.env.DEMO_WEBHOOKS_INTERNAL_PORT ?? 15001),
  notifierHealth: Number(process.env.DEMO_NOTIFIER_HEALTH_PORT ?? 18081),
  broadcasterHealth: Number(process.env.DEMO_BROADCASTER_HEALTH_PORT ?? 18082),
  oidc: Number(process.env.DEMO_OIDC_PORT ?? 18180),
  gateway: Number(process.env.DEMO_GATEWAY_PORT ?? 15443),
};
const run = randomUUID().slice(0, 8); // fresh topics and Redis keys per run: no stale offsets or dedupe records
const secrets = { apiKey: 'demo-api-key-for-both-webhook-endpoints', stripe: 'whsec_demo_secret', twilioToken: 'demo-twilio-auth-token' };
const DEMO_CLIENT_PHONE = '+15555550100'; // "Demo Coffee" in the gateway stand-in's demo data

const children = [];
const smsSeen = [];
let started = [];

function appEnv() {
  const issuer = `http://127.0.0.1:${ports.oidc}/realms/nudges`;
  return {
    ...process.env,
    ...stackEnv(),
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    REDIS_KEY_PREFIX: `demo:${run}:`,
    KAFKA_TOPIC_NOTIFICATIONS: `demo-${run}-notifications`,
    KAFKA_TOPIC_PAYMENTS: `demo-${run}-payments`,
    KAFKA_TOPIC_FOREIGN_PRODUCTS: `demo-${run}-foreign-products`,
    KAFKA_TOPIC_DEADLETTER: `demo-${run}-deadletter`,
    KAFKA_TOPIC_BROADCASTS: `demo-${run}-broadcasts`,
    GRAPHQL_API_URL: `http://127.0.0.1:${ports.gateway}/graphql`,
    Oidc__ServerUrl: `http://127.0.0.1:${ports.oidc}`,
    Oidc__Realm: 'nudges',
    Oidc__ClientId: 'webhooks',
    Oidc__ClientSecret: 'webhooks-secret',
    OIDC_PORT: String(ports.oidc),
    OIDC_ISSUER: issuer,
    GATEWAY_PORT: String(ports.gateway),
    PORT: String(ports.webhooks),
    INTERNAL_PORT: String(ports.webhooksInternal),
    HEALTH_PORT: String(ports.notifierHealth),
    NOTIFIER: 'local',
    WEBHOOKS_API_KEY: secrets.apiKey,
    STRIPE_API_KEY: 'sk_test_demo',
    STRIPE_WEBHOOKS_SECRET: secrets.stripe,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: secrets.twilioToken,
    TWILIO_WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${ports.webhooks}`,
    AccountUrl: 'https://app.example.com/account',
    StripePortalUrl: 'https://billing.stripe.com/p/login/demo',
    ClientLinkBaseUri: 'https://app.example.com',
  };
}

/** Starts a built program; resolves once a line of its output matches `ready`. */
function startProcess(name, script, ready, onLine = () => {}, env = {}) {
  return new Promise((resolveReady, reject) => {
    const child = spawn(process.execPath, [script], { cwd: repo, env: { ...appEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push({ name, child });
    let isReady = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        onLine(line);
        if (!isReady && ready.test(line)) {
          isReady = true;
          clearTimeout(timer);
          resolveReady(child);
        }
      });
    }
    child.once('exit', (code) => {
      if (!isReady) reject(new Error(`${name} exited with ${code} during start-up`));
    });
  });
}

function watchNotifier(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return;
  }
  if (entry.context === 'LocalNotifier' && typeof entry.text === 'string') {
    smsSeen.push(entry);
    console.log(`\n  📱 SMS to ${entry.to}\n     ${entry.text.replace(/\n/g, '\n     ')}`);
  }
}

async function waitForSms(count, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (smsSeen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return smsSeen.length >= count;
}

async function sendKafkaSms() {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: 'demo', brokers: [stackEnv().Kafka__BrokerList], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const topic = appEnv().KAFKA_TOPIC_NOTIFICATIONS;
  // Byte-for-byte what the C# services write (System.Text.Json, default options): key {"EventType":"SendSms"},
  // $type first, PascalCase, + escaped as \u002B. The second is the earlier generation: the phone in the key.
  await producer.send({
    topic,
    messages: [
      {
        key: '{"EventType":"SendSms"}',
        value: String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B15555550123","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}`,
      },
      {
        key: String.raw`{"EventType":"SendSms","EventKey":"\u002B34600000001"}`,
        value: '{"$type":"notification.sendSms","ResourceKey":"AnnouncementSent","Locale":"es-ES","Replacements":{"count":"47"}}',
      },
    ],
  });
  await producer.disconnect();
}

/** Runs `npm run simulate -- <args>` (the operator CLI) against the running webhooks service. */
function simulate(...args) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['apps/cli/launch.mjs', 'simulate', ...args], {
      cwd: repo,
      env: { ...appEnv(), WEBHOOKS_URL: `http://127.0.0.1:${ports.webhooks}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const reply = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('←'))
        .join(' ');
      console.log(`  simulate ${args.slice(0, 2).join(' ').padEnd(32)} ${reply || out.trim()}`);
      if (code === 0) resolveRun(reply);
      else reject(new Error(`simulate ${args.join(' ')} exited with ${code}`));
    });
  });
}

/** stripe-mock answers every session's line items with its own fixture price: use that as the purchased price. */
async function purchasedPriceId() {
  const Stripe = (await import('stripe')).default;
  const url = new URL(stackEnv().STRIPE_API_URL);
  const stripe = new Stripe('sk_test_demo', { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
  const items = await stripe.checkout.sessions.listLineItems('cs_test_demo_probe');
  return items.data[0]?.price?.id ?? 'price_1PgafmB7WZ01zgkW02Hf9z6c';
}

/** Against the gateway stand-in's demo data (peers/gateway/seed.ts), as a catalog change and a purchase would arrive. */
async function stripeTraffic() {
  const price = await purchasedPriceId();
  await simulate(
    'stripe',
    'product.updated',
    '--product',
    'prod_demo_pro',
    '--name',
    'Pro',
    '--description',
    'Unlimited messages and priority support',
  );
  await simulate('stripe', 'product.created', '--name', 'Enterprise', '--description', 'Talk to sales');
  await simulate(
    'stripe',
    'price.created',
    '--price',
    price,
    '--product',
    'prod_demo_pro',
    '--nickname',
    'Pro monthly (2026)',
    '--amount',
    '3499',
  );
  await simulate('stripe', 'checkout', '--customer', 'cus_demo_bakery', '--amount', '3499', '--name', 'Corner Bakery');
}

async function main() {
  await ensureNodeModules();
  step('starting the local stack (Kafka, Redis, stripe-mock)');
  started = await up(['kafka', 'redis', 'stripe-mock']);
  await build();

  step('starting the OIDC and GraphQL gateway stand-ins, the notifier, the broadcaster and the webhooks service');
  await startProcess('oidc', 'dist/peers/peers/oidc/main.js', /ready/);
  await startProcess('gateway', 'dist/peers/peers/gateway/main.js', /ready/);
  await startProcess(
    'notifier',
    'dist/apps/notifier/main.js',
    /"msg":"notifier (started|consuming|ready)|Nest microservice successfully started/i,
    watchNotifier,
  );
  await startProcess('broadcaster', 'dist/apps/broadcaster/main.js', /"msg":"broadcaster started"/, undefined, {
    HEALTH_PORT: String(ports.broadcasterHealth),
  });
  await startProcess('webhooks', 'dist/apps/webhooks/main.js', /webhooks listening/);

  step('1. two SendSms events from a C# producer (en-US and es-ES)');
  await sendKafkaSms();
  if (!(await waitForSms(2))) throw new Error('the notifier did not deliver the two SendSms events');

  step('2. Stripe: a checkout and a product/price sync');
  await stripeTraffic();

  step(`3. Demo Coffee (${DEMO_CLIENT_PHONE}) texts an announcement, then CONFIRM`);
  await simulate('sms', 'Big sale tomorrow! ☕ 2-for-1 lattes', '--from', DEMO_CLIENT_PHONE);
  await simulate('sms', 'CONFIRM', '--from', DEMO_CLIENT_PHONE);
  if (!(await waitForSms(2 + 3))) throw new Error(`expected 3 announcement SMS, saw ${smsSeen.length - 2}`);

  step(`done: ${smsSeen.length} SMS rendered by the notifier's LocalNotifier`);
}

async function shutdown() {
  for (const { child } of children.reverse()) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  if (started.length > 0 && process.env.STACK_KEEP !== '1') await down(started);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  process.stderr.write(`\n✖ demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
} finally {
  await shutdown();
}
process.exit(exitCode);
