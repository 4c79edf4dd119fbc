import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { RuntimeConfig } from '../config/common.env.js';
import { loggerParams } from './logger-options.js';

/** nestjs-pino wired to the app's `runtime` configuration. */
@Module({})
export class LoggingModule {
  static forApp(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => loggerParams(app, config.getOrThrow<RuntimeConfig>('runtime')),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
