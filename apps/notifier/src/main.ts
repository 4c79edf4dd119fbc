import 'reflect-metadata';
import { runApp } from '@app/shared/bootstrap/run-app.js';
import { startTracing } from '@app/shared/tracing/tracing-sdk.js';
import { loadNotifierConfig } from './config/notifier.config.js';

/** SIGTERM must end the process within 10 s, whatever hangs. */
const HARD_EXIT_MS = 9_500;

await runApp('notifier', async () => {
  const config = loadNotifierConfig(); // fails fast, before Nest starts, with one line per problem
  await startTracing(config.tracing); // before Nest and the app's modules are imported
  const { startNotifier } = await import('./notifier.app.js');
  const notifier = await startNotifier();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write('notifier: shutdown took too long; exiting\n');
        process.exit(1);
      }, HARD_EXIT_MS).unref();
      notifier.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
});
