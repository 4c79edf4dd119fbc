import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  BROADCAST_PAGE,
  BROADCAST_REQUESTED,
  initialProgress,
  type BroadcastProgress,
  type BroadcastRecord,
  type BroadcastRequest,
} from '@app/shared/broadcast/broadcast-records.js';
import { kafkaConfig, type KafkaConfig } from '@app/shared/config/common.env.js';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import { isPlainPhoneNumber, type PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { GatewayBusinessError } from '@app/shared/graphql/gateway.errors.js';
import { BROADCAST_ID_HEADER } from '@app/shared/broadcast/broadcast-id.js';
import type { OutgoingMessage } from '@app/shared/kafka/kafka-producer.service.js';
import { fanoutConfig, type FanoutConfig } from '../config/broadcaster.config.js';
import { BroadcastEnding, broadcastMessage, type Ending } from './broadcast-ending.js';
import { PageStreams } from './page-streams.js';
import { SendSmsTemplate, sendSmsKeyOf } from './send-sms-template.js';
import { ChunkedSender, type StepOutput } from './step-output.js';
import type { Subscriber, SubscriberPage } from './subscriber-pager.js';

const DEFAULT_LOCALE = 'en-US';

export type StepResult =
  | { kind: 'continued'; record: Extract<BroadcastRecord, { type: typeof BROADCAST_PAGE }>; produced: number; pages: number }
  | ({ kind: 'ended'; produced: number; pages: number } & Ending);

export type StepRecord = Extract<BroadcastRecord, { type: typeof BROADCAST_REQUESTED | typeof BROADCAST_PAGE }>;

/**
 * One step of a broadcast's fan-out, inside the transaction of its partition: the next pages of
 * subscribers (at most BROADCAST_PAGES_PER_STEP, at most BROADCAST_STEP_MAX_MS), one SendSms per
 * subscriber with a phone number, then the record the next step continues from (or the ending).
 * Nothing is kept per subscriber beyond the page in hand.
 */
@Injectable()
export class FanoutStep {
  constructor(
    private readonly streams: PageStreams,
    private readonly ending: BroadcastEnding,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(fanoutConfig.KEY) private readonly config: FanoutConfig,
    @Optional() @Inject(PHONE_CIPHER) private readonly cipher?: PhoneCipher,
  ) {}

  async run(record: StepRecord, output: StepOutput): Promise<StepResult> {
    const { request } = record;
    const start = record.type === BROADCAST_REQUESTED ? initialProgress() : record.progress;
    const stream = this.streams.open(request.broadcastId, request.clientId, start.cursor);
    const sender = new ChunkedSender(output, this.kafka.topics.notifications, this.config.produceChunk);
    const encode = this.encoderFor(request);
    const deadline = Date.now() + this.config.stepMaxMs;
    let progress = start;
    try {
      for (let pages = 1; ; pages += 1) {
        const page = await this.nextPage(stream.next.bind(stream));
        if (page instanceof GatewayBusinessError) return await this.fail(request, progress, page, sender, output);
        const messages = this.messagesOf(page.subscribers, encode);
        progress = advance(progress, page, messages.length, optedOutIn(page));
        await sender.add(messages);
        if (page.next === null) return await this.complete(request, progress, sender, output);
        if (pages >= this.config.pagesPerStep || Date.now() >= deadline) break;
      }
      await sender.flush();
      const next = { type: BROADCAST_PAGE, request, progress } as const;
      await output.send(this.kafka.topics.broadcasts, [broadcastMessage(next)]);
      return { kind: 'continued', record: next, produced: progress.sent - start.sent, pages: progress.pages - start.pages };
    } catch (err) {
      this.streams.close(request.broadcastId);
      throw err;
    } finally {
      await sender.settle();
    }
  }

  /** A page, or the business error that makes the list unreadable (anything else is transient: thrown). */
  private async nextPage(next: () => Promise<SubscriberPage>): Promise<SubscriberPage | GatewayBusinessError> {
    try {
      return await next();
    } catch (err) {
      if (err instanceof GatewayBusinessError) return err;
      throw err;
    }
  }

  private async complete(request: BroadcastRequest, progress: BroadcastProgress, sender: ChunkedSender, output: StepOutput) {
    await sender.flush();
    this.streams.close(request.broadcastId);
    return this.ended(await this.ending.completed(request, progress, output), progress, sender);
  }

  private async fail(
    request: BroadcastRequest,
    progress: BroadcastProgress,
    error: GatewayBusinessError,
    sender: ChunkedSender,
    output: StepOutput,
  ) {
    await sender.flush();
    this.streams.close(request.broadcastId);
    const reason = `the subscriber list could not be read (${error.errorType})`;
    return this.ended(await this.ending.failed(request, progress, reason, output), progress, sender);
  }

  private ended(ending: Ending, progress: BroadcastProgress, sender: ChunkedSender): StepResult {
    return { kind: 'ended', ...ending, produced: sender.produced, pages: progress.pages };
  }

  private encoderFor(request: BroadcastRequest): (subscriber: Subscriber) => OutgoingMessage | undefined {
    const template = new SendSmsTemplate('AnnouncementTemplate', {
      clientName: request.clientName,
      smsBody: request.text,
      link: request.link,
    });
    // One header object for the whole broadcast: with key and value it is also the notifier's identity of a SendSms.
    const headers = { [BROADCAST_ID_HEADER]: request.broadcastId };
    return (subscriber) => {
      const stored = subscriber.phoneNumber?.trim();
      if (!stored) return undefined;
      const phoneNumber = this.cipher && isPlainPhoneNumber(stored) ? this.cipher.encrypt(stored) : stored;
      return { key: sendSmsKeyOf(subscriber.id), value: template.encode(phoneNumber, subscriber.locale || DEFAULT_LOCALE), headers };
    };
  }

  private messagesOf(subscribers: readonly Subscriber[], encode: (s: Subscriber) => OutgoingMessage | undefined): OutgoingMessage[] {
    const messages: OutgoingMessage[] = [];
    for (const subscriber of subscribers) {
      if (subscriber.optedOut) continue;
      const message = encode(subscriber);
      if (message) messages.push(message);
    }
    return messages;
  }
}

const optedOutIn = (page: SubscriberPage): number => page.subscribers.filter((s) => s.optedOut).length;

function advance(progress: BroadcastProgress, page: SubscriberPage, sent: number, optedOut: number): BroadcastProgress {
  return {
    cursor: page.next ?? progress.cursor,
    sent: progress.sent + sent,
    skipped: progress.skipped + (page.subscribers.length - sent - optedOut),
    optedOut: progress.optedOut + optedOut,
    pages: progress.pages + 1,
    startedAt: progress.startedAt ?? new Date().toISOString(),
  };
}
