import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthModule } from '@app/shared/health/health.module.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { LocalizationModule } from '@app/shared/localization/localization.module.js';
import { AppConfigModule } from '@app/shared/config/app-config.module.js';
import { GatewayModule } from '@app/shared/graphql/gateway.module.js';
import { LoggingModule } from '@app/shared/logging/logging.module.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import { TracingModule } from '@app/shared/tracing/tracing.module.js';
import { loadWebhooksConfig, webhooksConfigNamespaces } from './config/webhooks.config.js';
import { WebhookHttpModule } from './http/http.module.js';
import { WebhookMetricsModule } from './metrics/webhook-metrics.module.js';
import { SafeExceptionFilter } from './http/safe-exception.filter.js';
import { StripeWebhookModule } from './stripe/stripe-webhook.module.js';
import { TwilioWebhookModule } from './twilio/twilio-webhook.module.js';

@Module({
  imports: [
    AppConfigModule.forRoot(loadWebhooksConfig, webhooksConfigNamespaces),
    LoggingModule.forApp('webhooks'),
    TracingModule,
    KafkaModule.forRoot(),
    RedisModule.forRoot(),
    GatewayModule.fromAppConfig(),
    LocalizationModule.fromAppConfig({ isGlobal: true }),
    HealthModule,
    WebhookMetricsModule,
    WebhookHttpModule,
    StripeWebhookModule,
    TwilioWebhookModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: SafeExceptionFilter }],
})
export class WebhooksModule {}
