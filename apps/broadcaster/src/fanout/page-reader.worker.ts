// Entry of the page-reading thread (see PageReaderThread): the subscriber pager with its own OIDC
// token, serving the fan-out over the thread's port.
import { parentPort, workerData } from 'node:worker_threads';
import type { GatewayConfig } from '@app/shared/config/gateway.env.js';
import { OidcTokenProvider } from '@app/shared/oidc/oidc-token-provider.js';
import { servePages } from './page-reader.js';
import { SubscriberPager } from './subscriber-pager.js';

const { gateway, query } = workerData as { gateway: GatewayConfig; query: string };
const tokens = new OidcTokenProvider(gateway.oidc);
const pager = new SubscriberPager(tokens, gateway, query);
// The first page needs a token: fetched now, while no broadcast waits for it (a failure is retried by that page).
tokens.getToken().catch(() => undefined);
if (!parentPort) throw new Error('page-reader.worker runs as a worker thread');
servePages(parentPort, (clientId, pageSize, after) => pager.fetchPage(clientId, pageSize, after));
