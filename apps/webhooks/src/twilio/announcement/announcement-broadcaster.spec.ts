import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { KafkaConfig } from '@app/shared/config/common.env.js';
import { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { KafkaProducerService, type OutgoingMessage, type TransactionalBatch } from '@app/shared/kafka/kafka-producer.service.js';

import { type TwilioWebhookConfig } from '../twilio.env.js';
import { SubscriberGatewayClient, type Recipient } from '../subscriber-gateway.client.js';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import { AnnouncementBroadcaster } from './announcement-broadcaster.js';
import { kafkaConfig } from '@app/shared/config/common.env.js';
import { twilioWebhookConfig } from '../twilio.env.js';

const client = { id: 'Q2xpZW50OjE=', name: 'Acme', slug: 'acme', subscriptionActive: true };

function recipients(n: number, from = 0): Recipient[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `s${from + i}`,
    phoneNumber: `+1555${String(from + i).padStart(7, '0')}`,
    locale: i % 2 ? 'es-ES' : 'en-US',
  }));
}

/** A fake transaction that records each produce request; `failOnSend` makes the n-th send reject. */
function fakeKafka(failOnSend?: number) {
  const sends: OutgoingMessage[][] = [];
  let committed = false;
  const kafka = {
    async inTransaction<T>(work: (batch: TransactionalBatch) => Promise<T>): Promise<T> {
      const batch: TransactionalBatch = {
        send: async (_topic, messages) => {
          await new Promise((r) => setImmediate(r));
          if (sends.length + 1 === failOnSend) throw new Error('broker gone');
          sends.push(messages);
        },
      };
      const result = await work(batch);
      committed = true;
      return result;
    },
  };
  return { kafka: kafka as unknown as KafkaProducerService, sends, committed: () => committed };
}

function gatewayOf(pages: Recipient[][], failAfterPages?: number): Pick<SubscriberGatewayClient, keyof SubscriberGatewayClient> {
  return {
    clientByPhoneNumber: async () => null,
    subscriberByPhoneNumber: async () => null,
    unsubscribe: async () => 'unsubscribed',
    async *subscribersOf() {
      for (const [i, page] of pages.entries()) {
        if (i === failAfterPages) throw new Error('gateway down');
        yield page;
      }
    },
  };
}

const kafkaOptions = { topics: { notifications: 'notifications' } } as KafkaConfig;
const config = { pageSize: 3, kafkaChunk: 4, clientLinkBaseUri: 'https://app.example.com' } as TwilioWebhookConfig;

/** The broadcaster from a testing module whose Kafka producer and gateway client are the fakes. */
async function broadcasterWith(
  kafka: KafkaProducerService,
  gateway: ReturnType<typeof gatewayOf>,
  cipher?: PhoneCipher,
): Promise<AnnouncementBroadcaster> {
  const module = await Test.createTestingModule({
    providers: [
      AnnouncementBroadcaster,
      KafkaProducerService,
      SubscriberGatewayClient,
      { provide: kafkaConfig.KEY, useValue: kafkaOptions },
      { provide: twilioWebhookConfig.KEY, useValue: config },
      ...(cipher ? [{ provide: PHONE_CIPHER, useValue: cipher }] : []),
    ],
  })
    .overrideProvider(KafkaProducerService)
    .useValue(kafka)
    .overrideProvider(SubscriberGatewayClient)
    .useValue(gateway)
    .compile();
  return module.get(AnnouncementBroadcaster);
}

describe('AnnouncementBroadcaster', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('publishes one SendSms per subscriber with a number, in chunks, skipping duplicates and numbers missing', async () => {
    const { kafka, sends, committed } = fakeKafka();
    const pages = [recipients(3), [...recipients(2, 3), { id: 's-none' }], [...recipients(1, 4), ...recipients(4, 5)]];
    const result = await (await broadcasterWith(kafka, gatewayOf(pages))).broadcast(client, 'Sale 😀');
    expect(result).toEqual({ sent: 9, skipped: 1 });
    expect(committed()).toBe(true);
    expect(sends.map((s) => s.length)).toEqual([4, 4, 1]);
    const all = sends.flat();
    expect(new Set(all.map((m) => m.key)).size).toBe(9);
    expect(JSON.parse(all[0]!.key!)).toEqual({ EventType: 'SendSms', Recipient: 's0' });
    expect(JSON.parse(String(all[1]!.value))).toEqual({
      $type: 'notification.sendSms',
      PhoneNumber: '+15550000001',
      ResourceKey: 'AnnouncementTemplate',
      Locale: 'es-ES',
      Replacements: { clientName: 'Acme', smsBody: 'Sale 😀', link: 'https://app.example.com/acme' },
    });
  });

  it('encrypts plain numbers when a cipher is configured', async () => {
    const { kafka, sends } = fakeKafka();
    const cipher = new PhoneCipher(Buffer.alloc(32, 7));
    await (await broadcasterWith(kafka, gatewayOf([recipients(1)]), cipher)).broadcast(client, 'x');
    const phone = JSON.parse(String(sends[0]![0]!.value)).PhoneNumber as string;
    expect(phone).not.toContain('+1555');
    expect(cipher.decrypt(phone)).toBe('+15550000000');
  });

  it.each([
    ['a produce request fails', fakeKafka(2), undefined, 'broker gone'],
    ['a gateway page fails', fakeKafka(), 2, 'gateway down'],
  ])('rethrows and does not commit when %s', async (_what, fake, failAfterPages, message) => {
    const pages = [recipients(3), recipients(3, 3), recipients(3, 6), recipients(3, 9)];
    const broadcaster = await broadcasterWith(fake.kafka, gatewayOf(pages, failAfterPages));
    await expect(broadcaster.broadcast(client, 'x')).rejects.toThrow(message);
    expect(fake.committed()).toBe(false);
  });
});
