// One recipient's SMS leave in the order of their partition, retries included (issue 15, item 10):
// an OTP "111" whose first send fails must not be overtaken by "222" and "333", while the SMS of
// other recipients keep going meanwhile. Real Kafka and Redis of the stack, the Twilio sink; the
// notifier runs in-process as main.ts builds it.
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { startNotifier, type RunningNotifier } from '../../../apps/notifier/src/notifier.app.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import {
  SEND_SMS_KEY,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
  phone,
  sendSmsJson,
} from '../../support/notifier/events.js';
import { createTopic, plainKafka, produce, untilAllCommitted } from '../../support/notifier/kafka.js';
import { stackEnv, uniqueName } from '../../support/stack.js';

jest.setTimeout(60_000);

describe('notifier: one recipient’s SMS in order, others alongside', () => {
  const topic = uniqueName('notify-order');
  const groupId = uniqueName('notifier-order');
  const key = randomBytes(32);
  let kafka: Kafka;
  let sink: TwilioSink;
  let notifier: RunningNotifier;

  beforeAll(async () => {
    const stack = stackEnv();
    kafka = plainKafka(stack.Kafka__BrokerList);
    await createTopic(kafka, topic, 1);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    notifier = await startNotifier({
      env: {
        Kafka__BrokerList: stack.Kafka__BrokerList,
        REDIS_URL: stack.REDIS_URL,
        REDIS_KEY_PREFIX: `${uniqueName('order')}:`,
        KAFKA_TOPIC_NOTIFICATIONS: topic,
        KAFKA_TOPIC_DEADLETTER: `${topic}-deadletter`,
        KAFKA_CONSUMER_GROUP: groupId,
        NOTIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        TWILIO_MESSAGE_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
        TWILIO_API_URL: sink.url,
        LOCALIZATION_API_URL: '',
        EncryptionSettings__Key: key.toString('base64'),
        NOTIFIER_MESSAGE_CONCURRENCY: '16',
        NOTIFIER_RETRY_BASE_MS: '800',
        NOTIFIER_RETRY_MAX_MS: '1000',
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
  });

  afterAll(async () => {
    await notifier?.stop();
    await sink?.stop();
  });

  it('sends 111, 222, 333 to one number in that order though 111 is retried, and the others without waiting for it', async () => {
    const otp = (to: string, code: string) => ({ key: SEND_SMS_KEY, value: sendSmsJson(to, 'SendOtp', 'en-US', { otp: code }) });
    const recipient = phone(8801);
    const others = [phone(8802), phone(8803), phone(8804), phone(8805)];
    // The first send of "111" fails (Twilio 503): it is retried after a backoff of at least 400 ms.
    sink.addRule({ to: recipient, bodyIncludes: '111', times: 1, action: { status: 503, code: 20503 } });
    const cipher = new PhoneCipher(key);
    await produce(kafka, topic, [
      otp(recipient, '111'),
      otp(others[0]!, '901'),
      // The same number encrypted (as the C# services write it) is the same recipient.
      otp(cipher.encrypt(recipient), '222'),
      otp(others[1]!, '902'),
      otp(recipient, '333'),
      otp(others[2]!, '903'),
      otp(others[3]!, '904'),
    ]);
    await untilAllCommitted(kafka, groupId, topic, 30_000);

    const toRecipient = sink.messages.filter((m) => m.to === recipient);
    expect(toRecipient.map((m) => m.body)).toEqual(['Your Nudges code is 111', 'Your Nudges code is 222', 'Your Nudges code is 333']);
    expect(sink.attempts.filter((a) => a.to === recipient).map((a) => a.status)).toEqual([503, 201, 201, 201]);
    // Concurrency across recipients is kept: the others did not wait for the retried 111.
    const retriedAt = toRecipient[0]!.receivedAt;
    for (const to of others) {
      const sent = sink.messages.filter((m) => m.to === to);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.receivedAt).toBeLessThan(retriedAt);
    }
  });
});
