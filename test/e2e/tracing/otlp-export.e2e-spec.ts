// The built apps, started as in production (node dist/.../main.js), export their spans over OTLP
// when Otlp__Endpoint is set, and flush what is buffered when they are stopped with SIGTERM. The
// collector here is a plain HTTP server that keeps the protobuf bodies; span names and the
// service name are UTF-8 strings inside them.
import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { spawnApp, spawnNotifier, type AppProcess } from '../../support/app-process.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { baseWebhooksEnv } from '../../support/webhooks-app.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, sendSmsJson } from '../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';
import { freePort } from '../../support/notifier/private-broker.js';
import { API_KEY, AUTH_TOKEN, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';

jest.setTimeout(120_000);

interface Collector {
  url: string;
  /** Every body posted to /v1/traces, as latin1 text (protobuf strings are readable in it). */
  exports: string[];
  stop(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const exports: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type'] === 'application/x-protobuf')
        exports.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function stopWithSigterm(app: AppProcess): Promise<void> {
  app.kill('SIGTERM');
  await app.exited;
}

describe('OTLP export from the built apps (Otlp__Endpoint set)', () => {
  let collector: Collector;
  let peers: TwilioPeers;
  let sink: TwilioSink;

  beforeAll(async () => {
    [collector, peers, sink] = await Promise.all([
      startCollector(),
      startTwilioPeers('otlp'),
      startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([collector?.stop(), peers?.stop(), sink?.stop()]);
  });

  const otlpEnv = () => ({ Otlp__Endpoint: collector.url, Otlp__Protocol: 'http/protobuf' });
  const exported = () => collector.exports.join('');

  it('webhooks: the request span and its GraphQL calls reach the collector by the time the process has exited', async () => {
    const port = await freePort();
    const env = {
      ...baseWebhooksEnv(),
      ...peers.env,
      ...otlpEnv(),
      LOG_LEVEL: 'info',
      PORT: String(port),
      WEBHOOKS_API_KEY: API_KEY,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    };
    const webhooks = await spawnApp('webhooks', env, 'otlp');
    try {
      await webhooks.waitForOutput(/"msg":"webhooks listening"/, 60_000);
      const stranger = '+15550007201';
      expect((await sendSms(`http://127.0.0.1:${port}`, sms(stranger, 'HELP'))).status).toBe(200);
      await stopWithSigterm(webhooks);
      const text = exported();
      expect(text).toContain('webhooks'); // service.name
      expect(text).toContain('POST /api/TwilioWebhookHandler');
      expect(text).toContain('GraphQL ClientByPhoneNumber');
      for (const secret of [stranger, API_KEY, AUTH_TOKEN]) expect(text).not.toContain(secret);
    } finally {
      webhooks.kill('SIGKILL');
    }
  });

  it('notifier: the consume and Twilio send spans reach the collector by the time the process has exited', async () => {
    const topic = uniqueName('otlp-notifications');
    const kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 1);
    const notifier = await spawnNotifier({ ...fleetEnv({ topic, sink }), ...otlpEnv(), Otlp__ServiceName: 'notifier-otlp-test' }, 'otlp');
    try {
      await joinedWithPartitions(notifier);
      const to = '+15550007202';
      await produce(kafka, topic, [{ key: '{"eventType":"SendSms"}', value: sendSmsJson(to, 'WelcomeMessage', 'en-US') }]);
      await sink.waitFor((s) => s.messages.some((m) => m.to === to), 30_000, 'the SMS');
      await stopWithSigterm(notifier);
      const text = exported();
      expect(text).toContain('notifier-otlp-test');
      expect(text).toContain(`process ${topic}`);
      expect(text).toContain('Twilio messages.create');
      expect(text).not.toContain(to);
    } finally {
      notifier.kill('SIGKILL');
    }
  });
});
