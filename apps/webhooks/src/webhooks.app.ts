import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { TRACED_ENDPOINTS, traceWebhookRequest } from './http/request-tracing.middleware.js';

/** App-level settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureWebhooksApp(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.enableShutdownHooks();
  for (const endpoint of TRACED_ENDPOINTS) app.use(`/api/${endpoint}`, traceWebhookRequest(endpoint));
}
