import { ConfigValidationError } from '@app/shared/config/env.js';
import { scrubText } from '@app/shared/logging/redact.js';

/** Wrong or missing arguments; the message says what to type instead. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** The one line (or, for configuration, one line per variable) a failed command prints on stderr. */
export function cliFailureMessage(err: unknown): string {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConfigValidationError) return `cli: invalid configuration\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `cli: ${scrubText(message)}\n`;
}
