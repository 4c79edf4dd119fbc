import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createKafkaClient } from './kafka-client.factory.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { KafkaProducerService } from './kafka-producer.service.js';
import { KafkaTopicsInitializer } from './kafka-topics.initializer.js';
import { KAFKA_CLIENT } from './kafka.tokens.js';
import { kafkaConfig } from '../config/common.env.js';

/** kafkajs client, producer and topic creation, configured from the app's `kafka` config. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(): DynamicModule {
    return {
      module: KafkaModule,
      imports: [TerminusModule],
      providers: [
        { provide: KAFKA_CLIENT, inject: [kafkaConfig.KEY], useFactory: createKafkaClient },
        KafkaTopicsInitializer,
        KafkaProducerService,
        KafkaHealthIndicator,
      ],
      exports: [KAFKA_CLIENT, KafkaProducerService, KafkaHealthIndicator],
    };
  }
}
