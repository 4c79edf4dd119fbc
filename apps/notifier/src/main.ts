import 'reflect-metadata';
import { runApp, stopOnSignals } from '@app/shared/bootstrap/run-app.js';
import { startTracing } from '@app/shared/tracing/tracing-sdk.js';
import { loadNotifierConfig } from './config/notifier.config.js';

await runApp('notifier', async () => {
  const config = loadNotifierConfig(); // fails fast, before Nest starts, with one line per problem
  await startTracing(config.tracing); // before Nest and the app's modules are imported
  const { startNotifier } = await import('./notifier.app.js');
  const notifier = await startNotifier();
  stopOnSignals('notifier', () => notifier.stop());
});
