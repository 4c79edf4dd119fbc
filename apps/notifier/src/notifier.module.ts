import { FailureType } from '@app/shared/codec/messages.js';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Kafka } from 'kafkajs';
import { AppConfigModule } from '@app/shared/config/app-config.module.js';
import { kafkaConfig, redisConfig } from '@app/shared/config/common.env.js';
import { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { PhoneCipherModule } from '@app/shared/crypto/phone-cipher.module.js';
import { HealthModule } from '@app/shared/health/health.module.js';
import { KAFKA_CLIENT } from '@app/shared/kafka/kafka.tokens.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { LocalizationModule } from '@app/shared/localization/localization.module.js';
import { LoggingModule } from '@app/shared/logging/logging.module.js';
import { OptOutModule } from '@app/shared/opt-out/opt-out.module.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import { TracingModule } from '@app/shared/tracing/tracing.module.js';
import {
  consumerConfig,
  deliveryConfig,
  loadNotifierConfig,
  notifierConfigNamespaces,
  notifierKindConfig,
  twilioApiConfig,
} from './config/notifier.config.js';
import { DeliveryLedger, LEDGER_OPTIONS, LEDGER_REDIS, createLedgerRedis, type LedgerOptions } from './ledger/delivery-ledger.js';
import { DeadLetterPublisher } from './delivery/dead-letter.publisher.js';
import { DeliveryService } from './delivery/delivery.service.js';
import { NotificationReader } from './delivery/notification-reader.js';
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
        AppConfigModule.forRoot(load, notifierConfigNamespaces, { ignoreEnvFile: options.env !== undefined }),
        PhoneCipherModule,
        LoggingModule.forApp('notifier'),
        TracingModule,
        KafkaModule.forRoot(),
        RedisModule.forRoot(),
        OptOutModule,
        HealthModule,
        NotifierMetricsModule,
        LocalizationModule.fromAppConfig(),
      ],
      controllers: [NotificationsController],
      providers: [
        {
          provide: SMS_NOTIFIER,
          inject: [notifierKindConfig.KEY, twilioApiConfig.KEY, NotifierMetrics],
          useFactory: (kind: ConfigType<typeof notifierKindConfig>, twilio: ConfigType<typeof twilioApiConfig>, metrics: NotifierMetrics) =>
            meteredSmsNotifier(createSmsNotifier(kind, twilio), metrics),
        },
        {
          provide: RetryPolicy,
          inject: [deliveryConfig.KEY, SMS_NOTIFIER, NotifierMetrics],
          useFactory: (delivery: ConfigType<typeof deliveryConfig>, notifier: SmsNotifier, metrics: NotifierMetrics) =>
            new RetryPolicy(delivery, notifier.kind === 'twilio' ? 'twilio' : 'sms', metrics),
        },
        SmsNotifierShutdown,
        {
          provide: LEDGER_OPTIONS,
          inject: [deliveryConfig.KEY, SMS_NOTIFIER],
          useFactory: (delivery: ConfigType<typeof deliveryConfig>, notifier: { findEarlierSend?: unknown }): LedgerOptions => ({
            leaseMs: delivery.claimLeaseMs,
            ttlMs: delivery.dedupeTtlMs,
            indexProviderIds: typeof notifier.findEarlierSend === 'function',
          }),
        },
        {
          provide: LEDGER_REDIS,
          inject: [redisConfig.KEY],
          useFactory: (redis: ConfigType<typeof redisConfig>) => createLedgerRedis(redis),
        },
        DeliveryLedger,
        BroadcastDeliveryStore,
        NotificationReader,
        DeadLetterPublisher,
        DeliveryService,
        {
          provide: KafkaBatchServer,
          inject: [
            KAFKA_CLIENT,
            kafkaConfig.KEY,
            consumerConfig.KEY,
            deliveryConfig.KEY,
            DeadLetterPublisher,
            NotifierMetrics,
            NotificationReader,
          ],
          useFactory: (
            kafka: Kafka,
            kafkaSection: ConfigType<typeof kafkaConfig>,
            consumer: ConfigType<typeof consumerConfig>,
            delivery: ConfigType<typeof deliveryConfig>,
            deadLetters: DeadLetterPublisher,
            metrics: NotifierMetrics,
            reader: NotificationReader,
          ) =>
            new KafkaBatchServer({
              kafka,
              metrics,
              consumer,
              // One recipient's SMS go out in the order of their partition (an OTP after the one before it).
              orderingKey: (message) => reader.recipientOf(message),
              resolveTopic: (pattern) => topicForPattern(kafkaSection.topics, pattern),
              shutdownGraceMs: delivery.shutdownGraceMs,
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
