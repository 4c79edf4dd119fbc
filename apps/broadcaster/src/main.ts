import 'reflect-metadata';
import { runApp } from '@app/shared/bootstrap/run-app.js';
import { startTracing } from '@app/shared/tracing/tracing-sdk.js';
import { loadBroadcasterConfig } from './config/broadcaster.config.js';

/** SIGTERM must end the process within 10 s, whatever hangs. */
const HARD_EXIT_MS = 9_500;

await runApp('broadcaster', async () => {
  const config = loadBroadcasterConfig(); // fails fast, before Nest starts, with one line per problem
  await startTracing(config.tracing);
  const { startBroadcaster } = await import('./broadcaster.app.js');
  const broadcaster = await startBroadcaster();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write('broadcaster: shutdown took too long; exiting\n');
        process.exit(1);
      }, HARD_EXIT_MS).unref();
      broadcaster.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
});
