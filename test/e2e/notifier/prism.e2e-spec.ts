// TwilioNotifier against Prism serving Twilio's official OpenAPI description of the 2010-04-01
// API: every request the notifier makes (create a Message, list Messages when reconciling) must
// pass Prism's validation of parameters, SID patterns and Basic auth.
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { TwilioNotifier } from '../../../apps/notifier/src/notifiers/twilio.notifier.js';
import { SmsSendError } from '../../../apps/notifier/src/notifiers/sms-notifier.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import {
  SEND_SMS_KEY,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
  phone,
  sendSmsJson,
  until,
} from '../../support/notifier/events.js';
import { collect, createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';

jest.setTimeout(60_000);

describe('TwilioNotifier against Prism (Twilio’s OpenAPI spec)', () => {
  const prismUrl = stackEnv().TWILIO_API_URL;
  const twilioConfig = {
    accountSid: TEST_ACCOUNT_SID,
    authToken: TEST_AUTH_TOKEN,
    messagingServiceSid: TEST_MESSAGING_SERVICE_SID,
    apiUrl: prismUrl,
    timeoutMs: 5000,
    maxSockets: 4,
    reconcile: true,
  };

  it('sends through the running notifier, and Prism accepts every request', async () => {
    const env = stackEnv();
    const topic = uniqueName('notify-prism');
    const deadletterTopic = uniqueName('deadletter-prism');
    const prefix = `${uniqueName('prism')}:`;
    const kafka: Kafka = plainKafka(env.Kafka__BrokerList);
    await createTopic(kafka, topic, 2);
    await createTopic(kafka, deadletterTopic, 1);
    const deadLetters = await collect(kafka, deadletterTopic);
    const redis = new Redis(env.REDIS_URL, { keyPrefix: prefix });
    let notifier: RunningNotifier | undefined;
    try {
      notifier = await startNotifier({
        env: {
          Kafka__BrokerList: env.Kafka__BrokerList,
          REDIS_URL: env.REDIS_URL,
          REDIS_KEY_PREFIX: prefix,
          KAFKA_TOPIC_NOTIFICATIONS: topic,
          KAFKA_TOPIC_DEADLETTER: deadletterTopic,
          KAFKA_CONSUMER_GROUP: uniqueName('notifier-prism'),
          NOTIFIER: 'twilio',
          TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
          TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
          TWILIO_API_URL: prismUrl,
          // Delivery receipts and a queue limit on every message: Prism checks both against the spec.
          TWILIO_STATUS_CALLBACK_URL: 'https://hooks.example.com/api/TwilioStatusCallback?code=k3y',
          TWILIO_VALIDITY_PERIOD_SECONDS: '600',
          HEALTH_PORT: '0',
          HEALTH_HOST: '127.0.0.1',
          LOG_LEVEL: 'error',
        },
      });
      await produce(kafka, topic, [
        {
          key: SEND_SMS_KEY,
          value: sendSmsJson(phone(9001), 'AnnouncementSent', 'es-ES', { count: '47' }),
          headers: { 'nudges-broadcast-id': 'b-prism-1' },
        },
        {
          key: SEND_SMS_KEY,
          value: sendSmsJson(phone(9002), 'ClientHelpMessage', 'en-US', {
            accountUrl: 'https://a.example',
            subUrl: 'https://s.example',
            shareUrl: 'https://x.example',
          }),
        },
      ]);
      // Each delivery is recorded in the ledger with the SID Prism answered (the spec's example).
      const sent = async () => {
        const keys = await redis.keys(`${prefix}notifier:sms:*`);
        const values = keys.length ? await redis.mget(...keys.map((k) => k.slice(prefix.length))) : [];
        return values.filter((v) => v?.startsWith('s|SM')).length;
      };
      await until(async () => (await sent()) === 2, 20_000, 'two deliveries recorded with a Twilio SID');
      expect(deadLetters.messages).toHaveLength(0);
    } finally {
      await notifier?.stop();
      await deadLetters.stop();
      redis.disconnect();
    }
  });

  it('asks Prism’s Messages list when reconciling, with a request the spec accepts', async () => {
    const notifier = new TwilioNotifier(twilioConfig);
    try {
      const found = await notifier.findEarlierSend(
        { to: phone(9003), body: 'Welcome to Nudges!' },
        Date.now() - 60_000,
        async () => new Set(),
      );
      expect(found).toBeUndefined(); // the spec's example message has another text
    } finally {
      notifier.close();
    }
  });

  it('checks StatusCallback and ValidityPeriod too: a ValidityPeriod that is no integer is refused', async () => {
    const receipts = { statusCallbackUrl: 'https://hooks.example.com/api/TwilioStatusCallback?code=k3y' };
    const valid = new TwilioNotifier({ ...twilioConfig, ...receipts, validityPeriodSeconds: 600 });
    const invalid = new TwilioNotifier({ ...twilioConfig, ...receipts, validityPeriodSeconds: 'ten minutes' as unknown as number });
    try {
      await expect(valid.send({ to: phone(9005), body: 'x', broadcastId: 'b-1' })).resolves.toMatchObject({
        id: expect.stringMatching(/^SM/),
      });
      await expect(invalid.send({ to: phone(9005), body: 'x' })).rejects.toMatchObject({ kind: 'permanent', details: { status: 422 } });
    } finally {
      valid.close();
      invalid.close();
    }
  });

  it('is really validated: a request breaking the spec is refused (422) and classified permanent', async () => {
    const notifier = new TwilioNotifier({ ...twilioConfig, messagingServiceSid: 'MG-not-a-sid' });
    try {
      const error = await notifier.send({ to: phone(9004), body: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmsSendError);
      expect(error).toMatchObject({ kind: 'permanent', details: { status: 422 } });
      expect((error as Error).message).toMatch(/Invalid request/);
    } finally {
      notifier.close();
    }
  });
});
