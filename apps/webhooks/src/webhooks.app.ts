import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';

/** App-level settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureWebhooksApp(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.enableShutdownHooks();
}
