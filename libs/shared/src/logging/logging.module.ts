import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { runtimeConfig } from '../config/common.env.js';
import { loggerParams } from './logger-options.js';

/** nestjs-pino wired to the app's `runtime` configuration. */
@Module({})
export class LoggingModule {
  static forApp(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [runtimeConfig.KEY],
          useFactory: (config: ConfigType<typeof runtimeConfig>) => loggerParams(app, config),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
