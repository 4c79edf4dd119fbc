import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { KafkaConfig } from '@app/shared/config/common.env.js';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import { isPlainPhoneNumber, type PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { KafkaProducerService, type OutgoingMessage, type TransactionalBatch } from '@app/shared/kafka/kafka-producer.service.js';

import { clientLink } from '../commands/help.handler.js';
import { DEFAULT_LOCALE } from '../commands/sender.js';
import { type TwilioWebhookConfig } from '../twilio.env.js';
import { SubscriberGatewayClient, type Recipient, type SenderClient } from '../subscriber-gateway.client.js';
import { SendSmsTemplate, sendSmsKeyOf } from './send-sms-template.js';
import { kafkaConfig } from '@app/shared/config/common.env.js';
import { twilioWebhookConfig } from '../twilio.env.js';

export interface BroadcastResult {
  /** SendSms events committed, one per subscriber with a phone number. */
  sent: number;
  /** Subscribers left out because the gateway has no phone number for them. */
  skipped: number;
}

/**
 * Fans an announcement out to every subscriber of a client: pages through the subscribers and
 * publishes one `notification.sendSms` (AnnouncementTemplate, in the subscriber's locale) per
 * subscriber to the notifications topic, all in ONE Kafka transaction, so read_committed
 * consumers see every message or none. Pages stream into the transaction: a page's messages are
 * produced while the next page is fetched, and only the chunk being built and the one in flight
 * are held, never the whole broadcast. Any failure aborts the transaction and is rethrown.
 */
@Injectable()
export class AnnouncementBroadcaster {
  private readonly logger = new Logger(AnnouncementBroadcaster.name);

  constructor(
    private readonly kafka: KafkaProducerService,
    @Inject(kafkaConfig.KEY) private readonly kafkaOptions: KafkaConfig,
    private readonly gateway: SubscriberGatewayClient,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
    @Optional() @Inject(PHONE_CIPHER) private readonly cipher?: PhoneCipher,
  ) {}

  async broadcast(client: SenderClient, text: string): Promise<BroadcastResult> {
    const started = Date.now();
    const template = new SendSmsTemplate('AnnouncementTemplate', {
      clientName: client.name,
      smsBody: text,
      link: clientLink(this.config.clientLinkBaseUri, client.slug),
    });
    const result = await this.kafka.inTransaction((batch) => this.publishAll(batch, client.id, template));
    this.logger.log({ msg: 'announcement broadcast committed', clientId: client.id, ...result, ms: Date.now() - started });
    return result;
  }

  private async publishAll(batch: TransactionalBatch, clientId: string, template: SendSmsTemplate): Promise<BroadcastResult> {
    const topic = this.kafkaOptions.topics.notifications;
    const producer = new ChunkedProducer(batch, topic, this.config.kafkaChunk);
    const seen = new Set<string>();
    let skipped = 0;
    try {
      for await (const page of this.gateway.subscribersOf(clientId, this.config.pageSize)) {
        for (const recipient of page) {
          if (seen.has(recipient.id)) continue;
          seen.add(recipient.id);
          const message = this.toMessage(recipient, template);
          if (message) producer.add(message);
          else skipped += 1;
        }
        await producer.flushFullChunks();
      }
      await producer.flushAll();
    } finally {
      await producer.settle();
    }
    return { sent: producer.sent, skipped };
  }

  private toMessage(recipient: Recipient, template: SendSmsTemplate): OutgoingMessage | undefined {
    const stored = recipient.phoneNumber?.trim();
    if (!stored) return undefined;
    const phoneNumber = this.cipher && isPlainPhoneNumber(stored) ? this.cipher.encrypt(stored) : stored;
    return { key: sendSmsKeyOf(recipient.id), value: template.encode(phoneNumber, recipient.locale || DEFAULT_LOCALE) };
  }
}

/**
 * Sends messages in chunks with at most one produce request in flight, so fetching the next
 * gateway page overlaps with producing the previous chunk. A failed send is remembered and
 * rethrown at the next call (never left as an unhandled rejection).
 */
class ChunkedProducer {
  sent = 0;
  private building: OutgoingMessage[] = [];
  private readonly full: OutgoingMessage[][] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly batch: TransactionalBatch,
    private readonly topic: string,
    private readonly chunkSize: number,
  ) {}

  add(message: OutgoingMessage): void {
    this.building.push(message);
    if (this.building.length >= this.chunkSize) {
      this.full.push(this.building);
      this.building = [];
    }
  }

  /** Starts sending every full chunk, waiting only for the previous send. */
  async flushFullChunks(): Promise<void> {
    for (let chunk = this.full.shift(); chunk; chunk = this.full.shift()) await this.startSend(chunk);
  }

  /** Sends what is left and waits until everything is acknowledged. */
  async flushAll(): Promise<void> {
    await this.flushFullChunks();
    if (this.building.length > 0) {
      const last = this.building;
      this.building = [];
      await this.startSend(last);
    }
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for the send in flight, whatever its outcome. */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  private async startSend(chunk: OutgoingMessage[]): Promise<void> {
    await this.inFlight;
    this.throwIfFailed();
    this.inFlight = this.batch.send(this.topic, chunk).then(
      () => {
        this.sent += chunk.length;
      },
      (error: unknown) => {
        this.failure = { error };
      },
    );
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
