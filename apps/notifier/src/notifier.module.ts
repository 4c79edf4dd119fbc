import { FailureType } from '@app/shared/codec/messages.js';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { Kafka } from 'kafkajs';
import type { KafkaConfig, RedisConfig } from '@app/shared/config/common.env.js';
import { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { HealthModule } from '@app/shared/health/health.module.js';
import { KAFKA_CLIENT, KAFKA_CONFIG } from '@app/shared/kafka/kafka.tokens.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { LocalizationModule } from '@app/shared/localization/localization.module.js';
import { LoggingModule } from '@app/shared/logging/logging.module.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import { TracingModule } from '@app/shared/tracing/tracing.module.js';
import { loadNotifierConfig, type ConsumerConfig, type DeliveryConfig, type NotifierConfig } from './config/notifier.config.js';
import { DeliveryLedger, LEDGER_OPTIONS, LEDGER_REDIS, createLedgerRedis, type LedgerOptions } from './ledger/delivery-ledger.js';
import { DeadLetterPublisher } from './delivery/dead-letter.publisher.js';
import { DELIVERY_CONFIG, DeliveryService, PHONE_CIPHER } from './delivery/delivery.service.js';
import { NotificationsController } from './delivery/notifications.controller.js';
import { meteredSmsNotifier } from './metrics/metered-sms-notifier.js';
import { NotifierMetrics } from './metrics/notifier-metrics.js';
import { NotifierMetricsModule } from './metrics/notifier-metrics.module.js';
import { createSmsNotifier, SmsNotifierShutdown } from './notifiers/notifier.factory.js';
import { SMS_NOTIFIER, type SmsNotifier } from './notifiers/sms-notifier.js';
import { RetryPolicy } from './resilience/retry-policy.js';
import { KafkaBatchServer } from './transport/kafka-batch.server.js';
import { topicForPattern } from './transport/patterns.js';

export interface NotifierModuleOptions {
  /** Environment to read instead of process.env (tests run notifiers with their own settings). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The notifier: a Nest hybrid app. Its microservice side is the KafkaBatchServer consuming
 * `notifications`; its HTTP side only serves the health endpoints on HEALTH_PORT.
 */
@Module({})
export class NotifierModule {
  static register(options: NotifierModuleOptions = {}): DynamicModule {
    const load = () => loadNotifierConfig(options.env ?? process.env);
    return {
      module: NotifierModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, load: [load], ignoreEnvFile: options.env !== undefined }),
        LoggingModule.forApp('notifier'),
        TracingModule,
        KafkaModule.forRoot(),
        RedisModule.forRoot(),
        HealthModule,
        NotifierMetricsModule,
        LocalizationModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (c: ConfigService) => c.getOrThrow<NotifierConfig['localization']>('localization'),
        }),
      ],
      controllers: [NotificationsController],
      providers: [
        { provide: DELIVERY_CONFIG, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow<DeliveryConfig>('delivery') },
        {
          provide: PHONE_CIPHER,
          inject: [ConfigService],
          useFactory: (c: ConfigService) => {
            const key = c.get<NotifierConfig['encryption']>('encryption')?.key;
            return key ? new PhoneCipher(key) : undefined;
          },
        },
        {
          provide: SMS_NOTIFIER,
          inject: [ConfigService, NotifierMetrics],
          useFactory: (c: ConfigService, metrics: NotifierMetrics) =>
            meteredSmsNotifier(
              createSmsNotifier(c.getOrThrow<NotifierConfig['notifier']>('notifier'), c.get<NotifierConfig['twilio']>('twilio')),
              metrics,
            ),
        },
        {
          provide: RetryPolicy,
          inject: [ConfigService, SMS_NOTIFIER, NotifierMetrics],
          useFactory: (c: ConfigService, notifier: SmsNotifier, metrics: NotifierMetrics) =>
            new RetryPolicy(c.getOrThrow<DeliveryConfig>('delivery'), notifier.kind === 'twilio' ? 'twilio' : 'sms', metrics),
        },
        SmsNotifierShutdown,
        {
          provide: LEDGER_OPTIONS,
          inject: [ConfigService, SMS_NOTIFIER],
          useFactory: (c: ConfigService, notifier: { findEarlierSend?: unknown }): LedgerOptions => {
            const delivery = c.getOrThrow<DeliveryConfig>('delivery');
            return {
              leaseMs: delivery.claimLeaseMs,
              ttlMs: delivery.dedupeTtlMs,
              indexProviderIds: typeof notifier.findEarlierSend === 'function',
            };
          },
        },
        {
          provide: LEDGER_REDIS,
          inject: [ConfigService],
          useFactory: (c: ConfigService) => createLedgerRedis(c.getOrThrow<RedisConfig>('redis')),
        },
        DeliveryLedger,
        DeadLetterPublisher,
        DeliveryService,
        {
          provide: KafkaBatchServer,
          inject: [KAFKA_CLIENT, KAFKA_CONFIG, ConfigService, DeadLetterPublisher, NotifierMetrics],
          useFactory: (
            kafka: Kafka,
            kafkaConfig: KafkaConfig,
            c: ConfigService,
            deadLetters: DeadLetterPublisher,
            metrics: NotifierMetrics,
          ) =>
            new KafkaBatchServer({
              kafka,
              metrics,
              consumer: c.getOrThrow<ConsumerConfig>('consumer'),
              resolveTopic: (pattern) => topicForPattern(kafkaConfig.topics, pattern),
              shutdownGraceMs: c.getOrThrow<DeliveryConfig>('delivery').shutdownGraceMs,
              onHandlerError: async (message, error, signal) => {
                const reason = error instanceof Error ? error.message : 'handler failed';
                await deadLetters.publish(
                  message,
                  { reasonCode: 'notifier.handler-error', reason, attempts: 1, failureType: FailureType.Fatal },
                  signal,
                );
              },
            }),
        },
      ],
    };
  }
}
