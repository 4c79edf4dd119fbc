// Entry of the page-reading thread (see PageReaderThread): the subscriber pager with its own OIDC
// token and, when the app traces, its own tracing SDK, serving the fan-out over the thread's port.
import { context } from '@opentelemetry/api';
import { parentPort, workerData } from 'node:worker_threads';
import type { GatewayConfig } from '@app/shared/config/gateway.env.js';
import type { TracingConfig } from '@app/shared/config/tracing.env.js';
import { OidcTokenProvider } from '@app/shared/oidc/oidc-token-provider.js';
import { contextFromHeaders } from '@app/shared/tracing/spans.js';
import { flushTracing, startTracing } from '@app/shared/tracing/tracing-sdk.js';
import { servePages } from './page-reader.js';
import type { PageReaderCommand } from './page-reading.protocol.js';
import { SubscriberPager } from './subscriber-pager.js';

const port = parentPort;
if (!port) throw new Error('page-reader.worker runs as a worker thread');
const { gateway, query, tracing } = workerData as { gateway: GatewayConfig; query: string; tracing?: TracingConfig };
if (tracing) await startTracing(tracing);
const tokens = new OidcTokenProvider(gateway.oidc);
const pager = new SubscriberPager(tokens, gateway, query);
// The first page needs a token: fetched now, while no broadcast waits for it (a failure is retried by that page).
tokens.getToken().catch(() => undefined);
servePages(
  port,
  (clientId, pageSize, after) => pager.fetchPage(clientId, pageSize, after),
  (headers, open) => context.with(contextFromHeaders(headers), open),
);
port.on('message', (command: PageReaderCommand) => {
  if (command.type === 'flush') void flushTracing().then(() => port.postMessage({ type: 'flushed' }));
});
