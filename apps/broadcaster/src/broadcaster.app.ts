import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ConfigType } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import { healthConfig, kafkaConfig } from '@app/shared/config/common.env.js';
import { fanoutConfig } from './config/broadcaster.config.js';
import { BroadcasterModule, type BroadcasterModuleOptions } from './broadcaster.module.js';

export interface RunningBroadcaster {
  app: INestApplication;
  healthPort: number;
  stop(): Promise<void>;
}

/** Builds and starts the broadcaster (main.ts and the tests use this, so tests run it as production does). */
export async function startBroadcaster(options: BroadcasterModuleOptions = {}): Promise<RunningBroadcaster> {
  const app = await NestFactory.create(BroadcasterModule.register(options), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  try {
    const health = app.get<ConfigType<typeof healthConfig>>(healthConfig.KEY);
    await app.listen(health.port, health.host); // init: topics, Redis, then the consumer joins its group
    const healthPort = (app.getHttpServer().address() as AddressInfo).port;
    app.get(Logger).log({
      msg: 'broadcaster started',
      topic: app.get<ConfigType<typeof kafkaConfig>>(kafkaConfig.KEY).topics.broadcasts,
      groupId: app.get<ConfigType<typeof fanoutConfig>>(fanoutConfig.KEY).groupId,
      healthPort,
    });
    let stopping: Promise<void> | undefined;
    return { app, healthPort, stop: () => (stopping ??= app.close()) };
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
}
