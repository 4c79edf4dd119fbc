import type { Server } from 'node:http';
import type { FrontDoorConfig } from './http.env.js';

/**
 * Bounds how long a client may take to send its request, so a slow sender (slowloris: headers,
 * then the body a byte at a time) cannot hold a connection for ever: Node answers 408 and closes
 * it. Node checks these deadlines every `connectionsCheckingInterval` (30 s by default, which would
 * let a client overstay by that much), so the check runs at a tenth of the shorter timeout, at
 * most once a second. Time spent answering a fully received request is not limited here.
 */
export function applyServerTimeouts(server: Server, config: Pick<FrontDoorConfig, 'requestTimeoutMs' | 'headersTimeoutMs'>): void {
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  // Read by Node when the server starts listening (the 'listening' handler that arms the check).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = checkingIntervalMs(config);
}

export function checkingIntervalMs(config: Pick<FrontDoorConfig, 'requestTimeoutMs' | 'headersTimeoutMs'>): number {
  return Math.max(10, Math.min(1000, Math.floor(Math.min(config.requestTimeoutMs, config.headersTimeoutMs) / 10)));
}
