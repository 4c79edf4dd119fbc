import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import type { KafkaConfig } from '../config/common.env.js';
import { createKafkaClient } from './kafka-client.factory.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { KafkaProducerService } from './kafka-producer.service.js';
import { KafkaTopicsInitializer } from './kafka-topics.initializer.js';
import { KAFKA_CLIENT, KAFKA_CONFIG } from './kafka.tokens.js';

/** kafkajs client, producer and topic creation, configured from the app's `kafka` config. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(): DynamicModule {
    return {
      module: KafkaModule,
      imports: [TerminusModule],
      providers: [
        { provide: KAFKA_CONFIG, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow<KafkaConfig>('kafka') },
        { provide: KAFKA_CLIENT, inject: [KAFKA_CONFIG], useFactory: createKafkaClient },
        KafkaTopicsInitializer,
        KafkaProducerService,
        KafkaHealthIndicator,
      ],
      exports: [KAFKA_CLIENT, KAFKA_CONFIG, KafkaProducerService, KafkaHealthIndicator],
    };
  }
}
