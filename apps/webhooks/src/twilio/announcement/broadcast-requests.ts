import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { confirmationKey, draftKey, pendingBroadcastKey } from '@app/shared/broadcast/broadcast-keys.js';
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
  // A draft given back after an uncertain record keeps its broadcast id (KEYS[3]).
  broadcastClaimDraft: {
    numberOfKeys: 3,
    lua: `local earlier = redis.call('GET', KEYS[1])
if earlier then return earlier end
local draft = redis.call('GET', KEYS[2])
if not draft then return false end
local id = redis.call('GET', KEYS[3]) or ARGV[1]
redis.call('DEL', KEYS[2], KEYS[3])
local claim = cjson.encode({ id = id, at = ARGV[2], text = draft })
redis.call('SET', KEYS[1], claim, 'PX', ARGV[3])
return claim`,
  },
  // Back only if no newer draft was texted meanwhile; only then does it keep its broadcast id.
  broadcastGiveBackDraft: {
    numberOfKeys: 3,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3], 'NX') then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
redis.call('DEL', KEYS[3])
return 1`,
  },
} as const;

interface ClaimCommands {
  broadcastClaimDraft(confirmation: string, draft: string, pending: string, id: string, at: string, ttlMs: number): Promise<string | null>;
  broadcastGiveBackDraft(draft: string, pending: string, confirmation: string, text: string, id: string, ttlMs: number): Promise<number>;
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
      pendingBroadcastKey(phoneNumber),
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

  /**
   * Undoes a claim whose record Kafka did not confirm: the draft is back (unless a newer one came)
   * with its broadcast id, since the record may have been written after all (a timeout): the next
   * CONFIRM then records the same broadcast, which the broadcaster fans out once.
   */
  async giveBack(phoneNumber: string, messageSid: string | undefined, draft: ClaimedDraft): Promise<void> {
    await this.redis.broadcastGiveBackDraft(
      draftKey(phoneNumber),
      pendingBroadcastKey(phoneNumber),
      confirmationKey(messageSid ?? `no-sid-${randomUUID()}`),
      draft.text,
      draft.broadcastId,
      this.config.draftTtlMs,
    );
  }
}
