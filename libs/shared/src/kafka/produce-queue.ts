import type { Message, RecordMetadata, TopicMessages } from 'kafkajs';

interface Waiting {
  topic: string;
  messages: Message[];
  bytes: number;
  resolve: (acknowledged: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

/** Sends waiting together are carried by one request up to this size (a lone larger send goes alone). */
const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * One produce request in flight at a time; the sends that arrive meanwhile go together in the
 * next one, in arrival order (so messages with the same key keep their order).
 *
 * kafkajs 2.2.4's idempotent producer numbers each partition's batches when it builds a request
 * and gives the numbers back when the request fails. With requests to two brokers outstanding for
 * one partition (its leader moved), or with a failed request the broker did write (a timeout), a
 * later batch gets the number of a batch the broker already holds, and the broker acknowledges it
 * as a duplicate without writing it: a silent loss (cluster scenario C3, a Stripe event answered
 * 200 whose record never reached its topic). With one request in flight a number is only ever
 * reused by the retry of its own batch; after a failed request the owner replaces the producer.
 * (Inside one send, patches/kafkajs+2.2.4.patch keeps a retry from starting while a request of the
 * failed attempt is still out.)
 */
export class ProduceQueue {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly produce: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>) {}

  /** Resolves with every acknowledgement of the request that carried `messages`, or rejects with its failure. */
  send(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ topic, messages, bytes: sizeOf(messages), resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const request = this.nextRequest();
      try {
        const acknowledged = await this.produce(byTopic(request));
        for (const w of request) w.resolve(acknowledged);
      } catch (err) {
        for (const w of request) w.reject(err);
      }
    }
    this.running = false;
  }

  private nextRequest(): Waiting[] {
    let bytes = this.waiting[0]!.bytes;
    let count = 1;
    while (count < this.waiting.length && bytes + this.waiting[count]!.bytes <= MAX_REQUEST_BYTES) {
      bytes += this.waiting[count]!.bytes;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }
}

function byTopic(request: readonly Waiting[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const w of request) {
    const messages = topics.get(w.topic);
    if (messages) messages.push(...w.messages);
    else topics.set(w.topic, [...w.messages]);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

function sizeOf(messages: readonly Message[]): number {
  let bytes = 0;
  for (const m of messages) bytes += byteLength(m.key) + byteLength(m.value) + 64;
  return bytes;
}

const byteLength = (v: Buffer | string | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
