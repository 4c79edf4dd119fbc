import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import type { FrontDoorConfig, HttpConfig } from './http/http.env.js';
import { InternalEndpointsServer } from './http/internal-endpoints.server.js';
import { TRACED_ENDPOINTS, traceWebhookRequest } from './http/request-tracing.middleware.js';
import { applyServerTimeouts } from './http/server-timeouts.js';

/** App-level settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureWebhooksApp(app: NestExpressApplication, frontDoor: FrontDoorConfig): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // X-Forwarded-* only from the configured proxies: it decides the URL the Twilio signature covers.
  app.set('trust proxy', frontDoor.trustProxy.length > 0 ? frontDoor.trustProxy : false);
  applyServerTimeouts(app.getHttpServer() as Server, frontDoor);
  app.enableShutdownHooks();
  const internal = app.get(InternalEndpointsServer, { strict: false });
  app.use(internal.routeByPort);
  for (const endpoint of TRACED_ENDPOINTS) app.use(`/api/${endpoint}`, traceWebhookRequest(endpoint));
}

export interface WebhooksPorts {
  /** The webhook endpoints. */
  port: number;
  /** /health, /health/ready and /metrics. */
  internalPort: number;
}

/** Listens on the public port (on `publicHost`) and on the internal port; resolves with both ports as bound. */
export async function listenWebhooksApp(app: NestExpressApplication, http: HttpConfig, publicHost: string): Promise<WebhooksPorts> {
  await app.listen(http.port, publicHost);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const internalPort = await app
    .get(InternalEndpointsServer, { strict: false })
    .listen(app.getHttpAdapter().getInstance(), http.internalPort, http.internalHost, http);
  return { port, internalPort };
}
