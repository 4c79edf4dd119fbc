import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FrontDoorConfig } from './http.env.js';
import { sendStatusAnswer } from './safe-exception.filter.js';
import { applyServerTimeouts } from './server-timeouts.js';

/** Liveness, readiness and Prometheus: served on the internal port only. */
const INTERNAL_PATH = /^\/(health|metrics)(\/|$)/i;

/**
 * The internal port: a second HTTP server on the same Express app, for `/health`, `/health/ready`
 * and `/metrics`. The public port answers 404 for them (they say which dependencies are down and
 * how busy the service is), and the internal port 404 for the webhook endpoints.
 */
@Injectable()
export class InternalEndpointsServer implements BeforeApplicationShutdown {
  private readonly internalSockets = new WeakSet<Socket>();
  private server?: Server;

  /** Express middleware, first of all: each path is served on its own port only. */
  readonly routeByPort = (req: Request, res: Response, next: NextFunction): void => {
    if (this.internalSockets.has(req.socket) === INTERNAL_PATH.test(req.path)) return next();
    sendStatusAnswer(res, 404);
  };

  /** Starts the internal port on `app` (call after the app's routes are registered); resolves with the bound port. */
  async listen(app: RequestListener, port: number, host: string, timeouts: FrontDoorConfig): Promise<number> {
    const server = createServer(app);
    applyServerTimeouts(server, timeouts);
    server.on('connection', (socket: Socket) => this.internalSockets.add(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
