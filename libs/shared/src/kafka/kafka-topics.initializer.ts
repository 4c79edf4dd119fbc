import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';
import { KAFKA_CLIENT } from './kafka.tokens.js';
import { kafkaConfig } from '../config/common.env.js';

/** Creates the contract's topics at start-up when `KAFKA_CREATE_TOPICS` allows it. */
@Injectable()
export class KafkaTopicsInitializer implements OnModuleInit {
  private readonly logger = new Logger(KafkaTopicsInitializer.name);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.createTopics) return;
    await ensureTopics(this.kafka, this.config, Object.values(this.config.topics));
  }
}

export async function ensureTopics(kafka: Kafka, config: KafkaConfig, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: config.partitions, replicationFactor: config.replicationFactor })),
    });
    new Logger(KafkaTopicsInitializer.name).log({ msg: 'created topics', topics: missing });
  } finally {
    await admin.disconnect();
  }
}
