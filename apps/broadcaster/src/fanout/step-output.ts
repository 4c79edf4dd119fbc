import type { OutgoingMessage } from '@app/shared/kafka/kafka-producer.service.js';

/** Where a step sends its records: the open Kafka transaction of the broadcast's partition. */
export interface StepOutput {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
}

/**
 * Sends a step's SendSms records in chunks with one produce request in flight, so fetching the
 * next page overlaps with producing the previous chunk. A failed send is rethrown at the next
 * call, never left as an unhandled rejection.
 */
export class ChunkedSender {
  produced = 0;
  private building: OutgoingMessage[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly output: StepOutput,
    private readonly topic: string,
    private readonly chunkSize: number,
  ) {}

  async add(messages: readonly OutgoingMessage[]): Promise<void> {
    for (const message of messages) this.building.push(message);
    if (this.building.length >= this.chunkSize) await this.startSend();
  }

  /** Sends what is left and waits until everything is acknowledged. */
  async flush(): Promise<void> {
    if (this.building.length > 0) await this.startSend();
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for the send in flight, whatever its outcome. */
  settle(): Promise<void> {
    return this.inFlight;
  }

  private async startSend(): Promise<void> {
    const chunk = this.building;
    this.building = [];
    await this.inFlight;
    this.throwIfFailed();
    this.inFlight = this.output.send(this.topic, chunk).then(
      () => {
        this.produced += chunk.length;
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
