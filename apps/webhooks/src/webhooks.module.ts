import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { HealthModule } from '@app/shared/health/health.module.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { LoggingModule } from '@app/shared/logging/logging.module.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import { loadWebhooksConfig } from './config/webhooks.config.js';
import { WebhookHttpModule } from './http/http.module.js';
import { SafeExceptionFilter } from './http/safe-exception.filter.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [loadWebhooksConfig] }),
    LoggingModule.forApp('webhooks'),
    KafkaModule.forRoot(),
    RedisModule.forRoot(),
    HealthModule,
    WebhookHttpModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: SafeExceptionFilter }],
})
export class WebhooksModule {}
