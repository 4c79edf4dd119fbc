import 'reflect-metadata';
import { runApp, stopOnSignals } from '@app/shared/bootstrap/run-app.js';
import { startTracing } from '@app/shared/tracing/tracing-sdk.js';
import { loadBroadcasterConfig } from './config/broadcaster.config.js';

await runApp('broadcaster', async () => {
  const config = loadBroadcasterConfig(); // fails fast, before Nest starts, with one line per problem
  await startTracing(config.tracing);
  const { startBroadcaster } = await import('./broadcaster.app.js');
  const broadcaster = await startBroadcaster();
  stopOnSignals('broadcaster', () => broadcaster.stop());
});
