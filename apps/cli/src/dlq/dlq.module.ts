import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type INestApplicationContext,
  type LoggerService,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { kafkaConfig } from '@app/shared/config/common.env.js';
import { createKafkaClient } from '@app/shared/kafka/kafka-client.factory.js';
import { createRedisClient } from '@app/shared/redis/redis.module.js';
import type { DlqConfig } from '../cli.env.js';
import { DlqCli } from './dlq.cli.js';
import { DLQ_KAFKA, DlqService, STRIPE_PROCESSING_OPENER, type StripeProcessingOpener } from './dlq.service.js';
import { KafkaReplayer } from './kafka-replayer.js';
import { ReplayLedger } from './replay-ledger.js';

const DLQ_REDIS = Symbol('DLQ_REDIS');

@Injectable()
class DlqRedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(DLQ_REDIS) private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    await this.redis.connect();
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** `dlq` commands: the dead-letter topic (Kafka), replay records (Redis), the Stripe flow on demand. */
@Module({})
export class DlqModule {
  static register(config: DlqConfig, openStripe: StripeProcessingOpener): DynamicModule {
    return {
      module: DlqModule,
      providers: [
        { provide: kafkaConfig.KEY, useValue: config.kafka },
        { provide: DLQ_KAFKA, useFactory: () => createKafkaClient(config.kafka) },
        { provide: DLQ_REDIS, useFactory: () => createRedisClient(config.redis) },
        DlqRedisLifecycle,
        {
          provide: ReplayLedger,
          inject: [DLQ_REDIS],
          useFactory: (redis: Redis) => new ReplayLedger(redis, config.replayRecordTtlSeconds),
        },
        { provide: KafkaReplayer, inject: [DLQ_KAFKA], useFactory: (kafka: Kafka) => new KafkaReplayer(kafka) },
        { provide: STRIPE_PROCESSING_OPENER, useValue: openStripe },
        DlqService,
        DlqCli,
      ],
      exports: [DlqCli, DlqService],
    };
  }
}

/** An application context for the `dlq` commands; close it when done. */
export function openDlqContext(
  config: DlqConfig,
  openStripe: StripeProcessingOpener,
  logger: LoggerService | false = false,
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(DlqModule.register(config, openStripe), { logger, abortOnError: false });
}
