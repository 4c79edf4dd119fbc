import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfigModule } from '@app/shared/config/app-config.module.js';
import { GatewayModule } from '@app/shared/graphql/gateway.module.js';
import { HealthModule } from '@app/shared/health/health.module.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { LoggingModule } from '@app/shared/logging/logging.module.js';
import { MetricsModule } from '@app/shared/metrics/metrics.module.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import { TracingModule } from '@app/shared/tracing/tracing.module.js';
import { broadcasterConfigNamespaces, loadBroadcasterConfig } from './config/broadcaster.config.js';
import { FanoutModule } from './fanout/fanout.module.js';

export interface BroadcasterModuleOptions {
  /** Environment to read instead of process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The broadcaster: the fan-out consumer, plus health and metrics on HEALTH_PORT. */
@Module({})
export class BroadcasterModule {
  static register(options: BroadcasterModuleOptions = {}): DynamicModule {
    const load = () => loadBroadcasterConfig(options.env ?? process.env);
    return {
      module: BroadcasterModule,
      imports: [
        AppConfigModule.forRoot(load, broadcasterConfigNamespaces, { ignoreEnvFile: options.env !== undefined }),
        LoggingModule.forApp('broadcaster'),
        TracingModule,
        KafkaModule.forRoot(),
        RedisModule.forRoot(),
        GatewayModule.fromAppConfig(),
        HealthModule,
        MetricsModule,
        FanoutModule,
      ],
    };
  }
}
