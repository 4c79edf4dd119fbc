import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { decodeDeadLetter } from '@app/shared/codec/dead-letter.js';
import type { DecodeError } from '@app/shared/codec/decode-result.js';
import { decodeDeadLetterKey } from '@app/shared/codec/keys.js';
import type { DeadLetterKey, DeadLetterRecord } from '@app/shared/codec/messages.js';

/**
 * One record of the dead-letter topic: decoded (written by this project or by a C# handler), or
 * why it could not be.
 */
export interface StoredDeadLetter {
  /** Where the record itself is stored in the dead-letter topic. */
  partition: number;
  offset: string;
  record?: DeadLetterRecord;
  /** The record's Kafka key, when it is a C# `DeadLetterEventKey` (it names the failed key's type). */
  key?: DeadLetterKey;
  error?: DecodeError;
}

export class DeadLetterTopicMissingError extends Error {
  constructor(readonly topic: string) {
    super(`the dead-letter topic "${topic}" does not exist (KAFKA_TOPIC_DEADLETTER)`);
    this.name = 'DeadLetterTopicMissingError';
  }
}

export class DeadLetterReadTimeoutError extends Error {
  constructor(topic: string, timeoutMs: number) {
    super(`reading the dead-letter topic "${topic}" did not finish within ${timeoutMs / 1000} s`);
    this.name = 'DeadLetterReadTimeoutError';
  }
}

export interface ReadOptions {
  timeoutMs?: number;
}

/**
 * Reads the whole dead-letter topic as it is now (up to each partition's high watermark at the
 * start) with a throw-away consumer group that commits nothing and is deleted afterwards, so
 * reading never moves anybody's offsets.
 */
export async function readDeadLetterTopic(kafka: Kafka, topic: string, options: ReadOptions = {}): Promise<StoredDeadLetter[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const targets = await lastOffsets(kafka, topic);
  if (targets.size === 0) return [];

  const groupId = `nudges-dlq-cli-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const found: StoredDeadLetter[] = [];
  let timer: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    const caughtUp = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new DeadLetterReadTimeoutError(topic, timeoutMs)), timeoutMs);
      // Emitted after every batch, also one of only control records, with its last offset.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const target = targets.get(payload.partition);
        if (payload.topic !== topic || target === undefined || BigInt(payload.lastOffset) < target) return;
        targets.delete(payload.partition);
        if (targets.size === 0) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        found.push(decodeStored(partition, message));
      },
    });
    await caughtUp;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await deleteGroup(kafka, groupId);
  }
  return found;
}

export function decodeStored(partition: number, message: Pick<KafkaMessage, 'offset' | 'key' | 'value'>): StoredDeadLetter {
  const decoded = decodeDeadLetter(message.value);
  if (!decoded.ok) return { partition, offset: message.offset, error: decoded.error };
  // The key only adds detail: a record is read by its value, whatever its key.
  const key = decodeDeadLetterKey(message.key);
  return { partition, offset: message.offset, record: decoded.value, ...(key.ok ? { key: key.value } : {}) };
}

/** Per non-empty partition, the offset of its last record now. */
async function lastOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) throw new DeadLetterTopicMissingError(topic);
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
  } finally {
    await admin.disconnect();
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // An empty group without offsets is dropped by the broker anyway.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
