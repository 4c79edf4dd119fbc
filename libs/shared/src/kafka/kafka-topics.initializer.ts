import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';
import { KAFKA_CLIENT } from './kafka.tokens.js';
import { kafkaConfig } from '../config/common.env.js';

/** How long topics created at start-up may take until the cluster names a leader for each partition. */
export const TOPIC_LEADERS_TIMEOUT_MS = 30_000;
const LEADERS_POLL_MS = 200;

/** Start-up could not create the topics, or they never got leaders; the message names the topics. */
export class KafkaTopicSetupError extends Error {
  override readonly name = 'KafkaTopicSetupError';
}

/** Creates the contract's topics at start-up when `KAFKA_CREATE_TOPICS` allows it. */
@Injectable()
export class KafkaTopicsInitializer implements OnModuleInit {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.createTopics) return;
    await ensureTopics(this.kafka, this.config, Object.values(this.config.topics));
  }
}

/**
 * Creates the missing ones of `topics` and returns once the cluster names a leader for each of
 * their partitions.
 *
 * Not kafkajs' `waitForLeaders`: it asks one broker and gives up on any answer but
 * LEADER_NOT_AVAILABLE, and on a multi-node cluster a broker that has not yet applied the new
 * topic answers UNKNOWN_TOPIC_OR_PARTITION (kafkajs issue #1222). That failed the start-up of an
 * app creating its topics on a fresh cluster about every other time, with only kafkajs' "This
 * server does not host this topic-partition" to say why.
 * @throws KafkaTopicSetupError naming the topics and the step that failed.
 */
export async function ensureTopics(
  kafka: Kafka,
  config: KafkaConfig,
  topics: string[],
  leadersTimeoutMs = TOPIC_LEADERS_TIMEOUT_MS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect().catch((err: unknown) => {
    throw new KafkaTopicSetupError(`connecting to Kafka to check the topics failed: ${messageOf(err)}`);
  });
  try {
    const existing = new Set(
      await admin.listTopics().catch((err: unknown) => {
        throw new KafkaTopicSetupError(`listing the Kafka topics failed: ${messageOf(err)}`);
      }),
    );
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin
      .createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({ topic, numPartitions: config.partitions, replicationFactor: config.replicationFactor })),
      })
      .catch((err: unknown) => {
        throw new KafkaTopicSetupError(`creating Kafka topics ${missing.join(', ')} failed: ${messageOf(err)}`);
      });
    await untilLeadersElected(admin, missing, leadersTimeoutMs);
    new Logger(KafkaTopicsInitializer.name).log({ msg: 'created topics', topics: missing });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Polls until every partition has a leader that serves it: the metadata names one a moment before
 * the leader itself has taken the partition on (a ListOffsets in between answers NOT_LEADER), so
 * each topic's offsets are read too. A broker's "unknown topic" only means "not yet".
 */
async function untilLeadersElected(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem: string;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (leaderless.length === 0) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
      lastProblem = `no leader yet for partitions of ${leaderless.join(', ')}`;
    } catch (err) {
      lastProblem = messageOf(err);
    }
    if (Date.now() >= deadline) {
      throw new KafkaTopicSetupError(
        `Kafka topics ${topics.join(', ')} were created but did not get a leader for every partition within ${timeoutMs / 1000} s (last answer: ${lastProblem})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LEADERS_POLL_MS));
  }
}

/** The error's message; for kafkajs' aggregate of per-topic errors ("Topic creation errors"), each topic's too. */
function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = (err as Error & { errors?: unknown }).errors;
  if (!Array.isArray(parts) || parts.length === 0) return err.message;
  const each = parts.map((e: { topic?: unknown; message?: unknown }) =>
    e.topic ? `${String(e.topic)}: ${String(e.message)}` : String(e.message),
  );
  return `${err.message} (${[...new Set(each)].join('; ')})`;
}
