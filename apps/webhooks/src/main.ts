import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { runApp } from '@app/shared/bootstrap/run-app.js';
import { startTracing } from '@app/shared/tracing/tracing-sdk.js';
import { loadWebhooksConfig } from './config/webhooks.config.js';

await runApp('webhooks', async () => {
  const config = loadWebhooksConfig(); // fails fast, before Nest starts, with one line per problem
  await startTracing(config.tracing); // before Nest and the app's modules are imported
  const { NestFactory } = await import('@nestjs/core');
  const { Logger } = await import('nestjs-pino');
  const { WebhooksModule } = await import('./webhooks.module.js');
  const { configureWebhooksApp, listenWebhooksApp } = await import('./webhooks.app.js');
  const app = await NestFactory.create<NestExpressApplication>(WebhooksModule, {
    bodyParser: false,
    logger: false,
    abortOnError: false,
  });
  configureWebhooksApp(app, config.http);
  const ports = await listenWebhooksApp(app, config.http, '0.0.0.0');
  app.get(Logger).log({ msg: 'webhooks listening', ...ports });
});
