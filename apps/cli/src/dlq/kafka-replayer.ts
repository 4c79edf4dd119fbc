import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { MESSAGE_ID_HEADERS } from '@app/shared/kafka/event-identity.js';
import type { KafkaReplayMessage } from './replay-plan.js';

/** Added to every replayed message: the dead-letter record it came from. */
export const REPLAYED_FROM_HEADER = 'nudges-replayed-from';
/** Added when the original carries none of the notifier's message-id headers. */
export const REPLAY_MESSAGE_ID_HEADER = 'nudges-message-id';

export interface PublishedReplay {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * The headers of a replayed message: the original's (byte for byte for ours; a C# record's as the
 * UTF-8 text it kept), plus `nudges-replayed-from`.
 * When the original has no message-id header the notifier recognises, `nudges-message-id` is set
 * to the dead-letter id, so every replay of this dead letter (a `--force` rerun, two operators at
 * once, a replay of a replay that was dead-lettered again) has the same identity in the notifier's
 * delivery ledger and is delivered at most once. An original that has one keeps it, and with it
 * the identity under which the notifier may already have delivered it.
 */
export function replayHeaders(deadLetterId: string, original: Record<string, Buffer>): Record<string, Buffer> {
  const headers: Record<string, Buffer> = { ...original };
  const hasMessageId = MESSAGE_ID_HEADERS.some((name) => (headers[name]?.toString('utf8').trim() ?? '') !== '');
  if (!hasMessageId) headers[REPLAY_MESSAGE_ID_HEADER] = Buffer.from(deadLetterId, 'utf8');
  headers[REPLAYED_FROM_HEADER] = Buffer.from(deadLetterId, 'utf8');
  return headers;
}

/** Republishes messages to their topic with their exact key, value and headers (acks=all). */
export class KafkaReplayer {
  private producer?: Producer;

  constructor(private readonly kafka: Kafka) {}

  /**
   * One publish at a time (the caller awaits each). A failed one closes the producer, whose
   * sequence numbers are then in doubt (see ProduceQueue): the next publish starts a new one.
   */
  async publish(deadLetterId: string, message: KafkaReplayMessage): Promise<PublishedReplay> {
    const { topic } = message;
    const producer = await this.connected();
    try {
      const [meta] = await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: [{ key: message.key, value: message.value, headers: replayHeaders(deadLetterId, message.headers) }],
      });
      return { topic, partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? '?' };
    } catch (err) {
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }
}
