import { existsSync } from 'node:fs';
import { ConfigValidationError } from '../config/env.js';

/**
 * Runs an app's start-up (after reading ./.env, if any) and turns failures into a short message and exit code 1: a configuration
 * problem prints one line per variable; anything else prints its message (never a stack trace or
 * a configuration value).
 */
export async function runApp(app: string, start: () => Promise<unknown>): Promise<void> {
  try {
    loadDotEnv();
    await start();
  } catch (err) {
    process.stderr.write(startupFailureMessage(app, err));
    process.exit(1);
  }
}

export function startupFailureMessage(app: string, err: unknown): string {
  const config = findConfigError(err);
  if (config) {
    return `${app}: invalid configuration\n${config.problems.map((p) => `  ${p}`).join('\n')}\n`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `${app}: start-up failed: ${message}\n`;
}

/** SIGTERM must end the process within 10 s (Kubernetes' default grace), whatever hangs. */
const HARD_EXIT_MS = 9_500;

/** On SIGTERM or SIGINT: `stop()`, then exit 0 (1 when it fails or takes longer than HARD_EXIT_MS). */
export function stopOnSignals(app: string, stop: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`${app}: shutdown took too long; exiting\n`);
        process.exit(1);
      }, HARD_EXIT_MS).unref();
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

function findConfigError(err: unknown): ConfigValidationError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConfigValidationError) return e;
  }
  return undefined;
}

/** Development convenience: variables from ./.env, never overriding the real environment. */
function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
