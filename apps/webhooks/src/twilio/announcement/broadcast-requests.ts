import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { confirmationKey, draftKey, reportKey } from '@app/shared/broadcast/broadcast-keys.js';
import {
  BROADCAST_REQUESTED,
  encodeBroadcastKey,
  encodeBroadcastRecord,
  type BroadcastRequest,
} from '@app/shared/broadcast/broadcast-records.js';
import { kafkaConfig, type KafkaConfig } from '@app/shared/config/common.env.js';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import type { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { KafkaProducerService } from '@app/shared/kafka/kafka-producer.service.js';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { defineScripts } from '@app/shared/redis/redis-lease.js';
import { twilioWebhookConfig, type TwilioWebhookConfig } from '../twilio.env.js';

/** How long a CONFIRM's claim on its draft is kept: a Twilio retry of it finds the same broadcast. */
const CONFIRMATION_TTL_MS = 24 * 3_600_000;

const SCRIPTS = {
  // A retry of the same CONFIRM gets the broadcast the first attempt made; otherwise the draft
  // moves, in one step, into a new confirmation (so two CONFIRMs cannot both take it).
  broadcastClaimDraft: {
    numberOfKeys: 2,
    lua: `local earlier = redis.call('GET', KEYS[1])
if earlier then return earlier end
local draft = redis.call('GET', KEYS[2])
if not draft then return false end
redis.call('DEL', KEYS[2])
local claim = cjson.encode({ id = ARGV[1], at = ARGV[2], text = draft })
redis.call('SET', KEYS[1], claim, 'PX', ARGV[3])
return claim`,
  },
} as const;

interface ClaimCommands {
  broadcastClaimDraft(confirmation: string, draft: string, id: string, at: string, ttlMs: number): Promise<string | null>;
}

/** A draft taken by a CONFIRM: the broadcast it becomes. */
export interface ClaimedDraft {
  broadcastId: string;
  requestedAt: string;
  text: string;
}

/** The client a broadcast is for, as the CONFIRM found it. */
export interface BroadcastingClient {
  id: string;
  name: string;
  locale: string;
  link: string;
  /** Plain E.164, from Twilio's `From`. */
  phoneNumber: string;
}

/**
 * CONFIRM's side of a broadcast: takes the draft for a MessageSid (once, whatever the retries) and
 * records the broadcast request on the broadcasts topic, where the broadcaster fans it out.
 */
@Injectable()
export class BroadcastRequests {
  private readonly redis: Redis & ClaimCommands;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly kafka: KafkaProducerService,
    @Inject(kafkaConfig.KEY) private readonly kafkaOptions: KafkaConfig,
    @Inject(twilioWebhookConfig.KEY) private readonly config: TwilioWebhookConfig,
    @Optional() @Inject(PHONE_CIPHER) private readonly cipher?: PhoneCipher,
  ) {
    this.redis = defineScripts<ClaimCommands>(redis, SCRIPTS);
  }

  /** The draft this CONFIRM takes (or took, on a retry); null when there is none. */
  async claim(phoneNumber: string, messageSid: string | undefined): Promise<ClaimedDraft | null> {
    const sid = messageSid ?? `no-sid-${randomUUID()}`;
    const claim = await this.redis.broadcastClaimDraft(
      confirmationKey(sid),
      draftKey(phoneNumber),
      randomUUID(),
      new Date().toISOString(),
      CONFIRMATION_TTL_MS,
    );
    if (claim === null) return null;
    const { id, at, text } = JSON.parse(claim) as { id: string; at: string; text: string };
    return { broadcastId: id, requestedAt: at, text };
  }

  /** Records the broadcast; the same claim always yields the same record (the broadcaster drops repeats). */
  async record(client: BroadcastingClient, draft: ClaimedDraft): Promise<void> {
    const request: BroadcastRequest = {
      broadcastId: draft.broadcastId,
      clientId: client.id,
      clientName: client.name,
      clientPhoneNumber: this.cipher ? this.cipher.encrypt(client.phoneNumber) : client.phoneNumber,
      clientLocale: client.locale,
      link: client.link,
      text: draft.text,
      requestedAt: draft.requestedAt,
    };
    await this.kafka.send(this.kafkaOptions.topics.broadcasts, [
      { key: encodeBroadcastKey(request.broadcastId), value: encodeBroadcastRecord({ type: BROADCAST_REQUESTED, request }) },
    ]);
  }

  /** Undoes a claim whose broadcast could not be recorded: the draft is back (unless a newer one came). */
  async giveBack(phoneNumber: string, messageSid: string | undefined, draft: ClaimedDraft): Promise<void> {
    const pipeline = this.redis.multi().set(draftKey(phoneNumber), draft.text, 'PX', this.config.draftTtlMs, 'NX');
    if (messageSid) pipeline.del(confirmationKey(messageSid));
    await pipeline.del(reportKey(draft.broadcastId)).exec();
  }
}
