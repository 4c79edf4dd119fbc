import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ConfigType } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import { healthConfig, kafkaConfig } from '@app/shared/config/common.env.js';
import { consumerConfig, notifierKindConfig } from './config/notifier.config.js';
import { NotifierModule, type NotifierModuleOptions } from './notifier.module.js';
import { KafkaBatchServer } from './transport/kafka-batch.server.js';

export interface RunningNotifier {
  app: INestApplication;
  /** Port of the health endpoints (useful with HEALTH_PORT=0). */
  healthPort: number;
  /** Graceful stop: stop fetching, settle or abandon in-flight messages, commit, leave the group, close. */
  stop(): Promise<void>;
}

/** Builds and starts the notifier (main.ts and the e2e tests use this, so tests run it as production does). */
export async function startNotifier(options: NotifierModuleOptions = {}): Promise<RunningNotifier> {
  const app = await NestFactory.create(NotifierModule.register(options), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  const server = app.get(KafkaBatchServer);
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  try {
    await app.init(); // connects Redis and the producer, creates topics (before the consumer subscribes)
    await app.startAllMicroservices();
    const health = app.get<ConfigType<typeof healthConfig>>(healthConfig.KEY);
    await app.listen(health.port, health.host);
    const healthPort = (app.getHttpServer().address() as AddressInfo).port;
    app.get(Logger).log({
      msg: 'notifier started',
      notifier: app.get<ConfigType<typeof notifierKindConfig>>(notifierKindConfig.KEY),
      topic: app.get<ConfigType<typeof kafkaConfig>>(kafkaConfig.KEY).topics.notifications,
      groupId: app.get<ConfigType<typeof consumerConfig>>(consumerConfig.KEY).groupId,
      healthPort,
    });
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= server.close().then(() => app.close()));
    return { app, healthPort, stop };
  } catch (err) {
    await server.close().catch(() => undefined);
    await app.close().catch(() => undefined);
    throw err;
  }
}
