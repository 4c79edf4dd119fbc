import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { draftKey } from '@app/shared/broadcast/broadcast-keys.js';
import {
  BROADCAST_COMPLETED,
  BROADCAST_FAILED,
  encodeBroadcastKey,
  encodeBroadcastRecord,
  type BroadcastProgress,
  type BroadcastRecord,
  type BroadcastRequest,
} from '@app/shared/broadcast/broadcast-records.js';
import { BroadcastReport } from '@app/shared/broadcast/broadcast-report.js';
import { encodeEvent } from '@app/shared/codec/encode.js';
import { encodeSendSmsKey } from '@app/shared/codec/keys.js';
import { SEND_SMS_TYPE } from '@app/shared/codec/messages.js';
import { kafkaConfig, type KafkaConfig } from '@app/shared/config/common.env.js';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import { resolvePhoneNumber, type PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import type { OutgoingMessage } from '@app/shared/kafka/kafka-producer.service.js';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { fanoutConfig, type FanoutConfig } from '../config/broadcaster.config.js';
import type { StepOutput } from './step-output.js';

export type EndedRecord = Extract<BroadcastRecord, { type: typeof BROADCAST_COMPLETED | typeof BROADCAST_FAILED }>;

/** How a step that ended its broadcast reports: its last record and whether the client got an SMS. */
export interface Ending {
  record: EndedRecord;
  clientSms: boolean;
}

/**
 * The last step of a broadcast, inside its transaction: the terminal record, the SMS that tells
 * the client the outcome unless the CONFIRM reply tells it (BroadcastReport decides, once), and
 * for a broadcast that sent nothing, the draft put back so the client can CONFIRM again.
 */
@Injectable()
export class BroadcastEnding {
  constructor(
    private readonly report: BroadcastReport,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(fanoutConfig.KEY) private readonly config: FanoutConfig,
    @Optional() @Inject(PHONE_CIPHER) private readonly cipher?: PhoneCipher,
  ) {}

  async completed(request: BroadcastRequest, progress: BroadcastProgress, output: StepOutput): Promise<Ending> {
    const record: EndedRecord = { type: BROADCAST_COMPLETED, request, progress, finishedAt: new Date().toISOString() };
    const reporter = await this.report.decideByFanout(request.broadcastId, { kind: 'sent', count: progress.sent });
    const sms = reporter === 'sms' ? [clientSms(request, 'AnnouncementSent', { count: String(progress.sent) })] : [];
    await this.emit(record, sms, output);
    return { record, clientSms: sms.length > 0 };
  }

  async failed(request: BroadcastRequest, progress: BroadcastProgress, reason: string, output: StepOutput): Promise<Ending> {
    const sentNothing = progress.sent === 0 && progress.pages === 0;
    if (sentNothing) await this.restoreDraft(request);
    const record: EndedRecord = {
      type: BROADCAST_FAILED,
      request,
      progress,
      finishedAt: new Date().toISOString(),
      reason,
      resumable: !sentNothing && progress.cursor !== null,
    };
    const reporter = await this.report.decideByFanout(request.broadcastId, { kind: 'failed', sent: progress.sent });
    const sms =
      reporter !== 'sms'
        ? []
        : sentNothing
          ? [clientSms(request, 'AnnouncementFailed', {})]
          : [clientSms(request, 'AnnouncementInterrupted', { count: String(progress.sent) })];
    await this.emit(record, sms, output);
    return { record, clientSms: sms.length > 0 };
  }

  private async emit(record: EndedRecord, sms: OutgoingMessage[], output: StepOutput): Promise<void> {
    if (sms.length > 0) await output.send(this.kafka.topics.notifications, sms);
    await output.send(this.kafka.topics.broadcasts, [broadcastMessage(record)]);
  }

  /** Unless the client texted a newer draft meanwhile (NX), which then wins. */
  private async restoreDraft(request: BroadcastRequest): Promise<void> {
    const phone = resolvePhoneNumber(request.clientPhoneNumber, this.cipher);
    await this.redis.set(draftKey(phone), request.text, 'PX', this.config.draftTtlMs, 'NX');
  }
}

/** A broadcasts-topic record as a Kafka message, keyed by its broadcast. */
export const broadcastMessage = (record: BroadcastRecord): OutgoingMessage => ({
  key: encodeBroadcastKey(record.request.broadcastId),
  value: encodeBroadcastRecord(record),
});

function clientSms(request: BroadcastRequest, resourceKey: string, replacements: Record<string, string>): OutgoingMessage {
  return {
    key: encodeSendSmsKey(request.clientId),
    value: encodeEvent({
      $type: SEND_SMS_TYPE,
      phoneNumber: request.clientPhoneNumber,
      resourceKey,
      locale: request.clientLocale,
      replacements,
    }),
  };
}
