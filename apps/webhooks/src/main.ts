import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { runApp } from '@app/shared/bootstrap/run-app.js';
import { loadWebhooksConfig } from './config/webhooks.config.js';

await runApp('webhooks', async () => {
  const config = loadWebhooksConfig(); // fails fast, before Nest starts, with one line per problem
  const { WebhooksModule } = await import('./webhooks.module.js');
  const { configureWebhooksApp } = await import('./webhooks.app.js');
  const app = await NestFactory.create<NestExpressApplication>(WebhooksModule, {
    bodyParser: false,
    logger: false,
    abortOnError: false,
  });
  configureWebhooksApp(app);
  await app.listen(config.http.port, '0.0.0.0');
  app.get(Logger).log({ msg: 'webhooks listening', port: config.http.port });
});
