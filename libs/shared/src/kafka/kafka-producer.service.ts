import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CompressionTypes,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';
import { tracedProduce } from '../tracing/kafka-tracing.js';
import { KAFKA_CLIENT } from './kafka.tokens.js';
import { AcknowledgedPartitions, repeatedPartitions } from './acknowledged-partitions.js';
import { holdMetadataOf } from './producer-metadata.js';
import { ProduceQueue } from './produce-queue.js';
import { kafkaConfig } from '../config/common.env.js';

/**
 * A message as this project produces it: key and value already encoded by the wire codec. It is
 * handed to kafkajs as is (no copy per message; with tracing on, a copy with the trace headers).
 * The partition is Kafka's default for the key (murmur2, see Murmur2Partitioner), so messages
 * with the same key stay in order.
 */
export interface OutgoingMessage {
  key: string | null;
  /** UTF-8 JSON text, or its bytes when the caller already has them (e.g. a broadcast template). */
  value: string | Buffer;
  headers?: Record<string, string>;
}

/** Raised when Kafka did not take a message; callers treat it as transient (the sender retries). */
export class KafkaPublishError extends Error {
  constructor(
    readonly topic: string,
    cause: unknown,
  ) {
    super(`publishing to ${topic} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'KafkaPublishError';
  }
}

export interface TransactionalBatch {
  /** Adds messages to the open transaction; they become visible to read_committed consumers only on commit. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
}

/**
 * Idempotent producer (acks=all) for single publishes, plus a transactional producer for
 * all-or-nothing batches. Publishes go through a ProduceQueue (one request in flight; a failed
 * request replaces the producer), transactions on one producer must not overlap, so they are
 * queued too. Both cache the metadata of the contract's topics only (see holdMetadataOf).
 */
@Injectable()
export class KafkaProducerService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaProducerService.name);
  /** Both producers route with it, and every send is checked against it (see AcknowledgedPartitions). */
  private readonly acknowledged = new AcknowledgedPartitions();
  /** Replaced after a failed publish: its sequence numbers may name batches the broker already holds. */
  private producer?: Promise<Producer>;
  private bootstrapped = false;
  private readonly publishes = new ProduceQueue((topicMessages) => this.publishOnce(topicMessages));
  private transactional?: Producer;
  /**
   * One transactional id for the life of the process: a producer recreated after a failed
   * transaction registers under the same id, which makes the broker abort the transaction the old
   * producer left open (an abort that failed because the broker was away). With a new id the
   * orphan would stay open until its timeout and hold back every read_committed consumer of its
   * partitions meanwhile.
   */
  private readonly transactionalId: string;
  private transactionQueue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
  ) {
    this.transactionalId = `${config.clientId}-${hostname()}-${randomUUID()}`;
  }

  async onModuleInit(): Promise<void> {
    await this.idempotentProducer();
  }

  /** After onModuleInit, when KafkaTopicsInitializer has created the topics. */
  async onApplicationBootstrap(): Promise<void> {
    this.bootstrapped = true;
    await this.holdOwnMetadata(await this.idempotentProducer());
  }

  private idempotentProducer(): Promise<Producer> {
    this.producer ??= this.connectIdempotent().catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  private async connectIdempotent(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: this.acknowledged.partitioner,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    if (this.bootstrapped) await this.holdOwnMetadata(producer);
    return producer;
  }

  /**
   * One request of the publish queue. A failure, or partitions missing from the answer, leaves
   * the producer's sequence numbers in doubt: the next request goes through a new producer (a new
   * producer id numbers its batches afresh, as the Java client's epoch bump does).
   */
  private async publishOnce(topicMessages: TopicMessages[]): Promise<RecordMetadata[]> {
    const producer = await this.idempotentProducer();
    let acknowledged: RecordMetadata[];
    try {
      acknowledged = await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
    } catch (err) {
      await this.retireIdempotent(producer);
      throw err;
    }
    if (topicMessages.some(({ topic, messages }) => this.acknowledged.missing(topic, messages, acknowledged).length > 0))
      await this.retireIdempotent(producer);
    for (const { topic } of topicMessages) {
      const repeated = repeatedPartitions(topic, acknowledged);
      // Outside a transaction the second copy cannot be withdrawn: its consumers see it twice.
      if (repeated.length > 0) this.logger.warn({ msg: 'kafkajs wrote records twice', topic, partitions: repeated });
    }
    return acknowledged;
  }

  private async retireIdempotent(producer: Producer): Promise<void> {
    this.producer = undefined;
    this.logger.warn({ msg: 'a publish failed: the next one goes through a new idempotent producer' });
    await producer.disconnect().catch(() => undefined);
  }

  /**
   * Narrows the producer's cached metadata to the contract's topics. Failing to do so costs memory
   * only (kafkajs narrows it at the first send), so it is logged, not thrown.
   */
  private async holdOwnMetadata(producer: Producer): Promise<void> {
    try {
      await holdMetadataOf(producer, Object.values(this.config.topics));
    } catch (err) {
      this.logger.warn({ msg: 'could not narrow the producer metadata to the contract topics', err });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.producer?.then((p) => p.disconnect()), this.transactional?.disconnect()]);
  }

  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    try {
      await tracedProduce(topic, messages, (traced) =>
        this.publishes.send(topic, asKafkaMessages(traced)).then((acknowledged) => this.acknowledged.check(topic, traced, acknowledged)),
      );
    } catch (err) {
      throw new KafkaPublishError(topic, err);
    }
  }

  /**
   * Runs `work` inside one Kafka transaction: commit when it resolves, abort when it throws (the
   * error is rethrown). Nothing sent through the batch is visible to read_committed readers until commit.
   */
  async inTransaction<T>(work: (batch: TransactionalBatch) => Promise<T>): Promise<T> {
    const run = this.transactionQueue.then(() => this.runTransaction(work));
    this.transactionQueue = run.catch(() => undefined);
    return run;
  }

  private async runTransaction<T>(work: (batch: TransactionalBatch) => Promise<T>): Promise<T> {
    const producer = await this.transactionalProducer();
    let tx: Transaction;
    try {
      tx = await producer.transaction();
    } catch (err) {
      await this.resetTransactionalProducer();
      throw new KafkaPublishError('(transaction)', err);
    }
    try {
      const result = await work({
        send: async (topic, messages) => {
          await tracedProduce(topic, messages, (traced) =>
            tx
              .send({ topic, acks: -1, messages: asKafkaMessages(traced) })
              .then((acknowledged) => this.acknowledged.checkWrittenOnce(topic, traced, acknowledged)),
          );
        },
      });
      await tx.commit();
      return result;
    } catch (err) {
      await tx.abort().catch((abortErr: unknown) => {
        this.logger.warn({ msg: 'transaction abort failed; producer will be recreated', err: abortErr });
      });
      await this.resetTransactionalProducer();
      throw err instanceof KafkaPublishError ? err : new KafkaPublishError('(transaction)', err);
    }
  }

  private async transactionalProducer(): Promise<Producer> {
    if (this.transactional) return this.transactional;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: this.transactionalId,
      transactionTimeout: 60_000,
      createPartitioner: this.acknowledged.partitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      throw new KafkaPublishError('(transaction)', err);
    }
    await this.holdOwnMetadata(producer);
    this.transactional = producer;
    return producer;
  }

  /** After a failed transaction the producer's state is unknown: start over with a fresh one (same transactional id). */
  private async resetTransactionalProducer(): Promise<void> {
    const old = this.transactional;
    this.transactional = undefined;
    await old?.disconnect().catch(() => undefined);
  }
}

/** OutgoingMessage is a subset of kafkajs' Message, which kafkajs only reads. */
const asKafkaMessages = (messages: OutgoingMessage[]): Message[] => messages;
