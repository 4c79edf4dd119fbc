import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the whole-system suites keep their figures (one JSON object per line) and the apps' logs. */
export const RESULTS_DIR = resolve(process.env.NUDGES_RESULTS_DIR ?? join(repo, '.test-results'));
export const APP_LOG_DIR = join(RESULTS_DIR, 'logs');

/** The figures every fault scenario reports; scenarios add their own fields. */
export interface ScenarioFigures {
  scenario: string;
  sent: number;
  delivered: number;
  duplicated: number;
  lost: number;
  deadLettered: number;
  maxLatencyMs: number;
  [extra: string]: unknown;
}

/**
 * Prints the figures as one JSON object on its own line (written to stdout directly, so Jest does
 * not decorate it) and appends them to `<RESULTS_DIR>/<suite>.jsonl` for docs/reliability.md.
 */
export function reportFigures(suite: 'faults' | 'fuzz' | 'soak', figures: Record<string, unknown>): void {
  const line = JSON.stringify(figures);
  process.stdout.write(`${line}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(join(RESULTS_DIR, `${suite}.jsonl`), `${line}\n`);
}

/** A file under APP_LOG_DIR for one app process's stdout+stderr; the secrets audit reads them all. */
export function appLogFile(app: 'webhooks' | 'notifier' | 'broadcaster', label: string): string {
  mkdirSync(APP_LOG_DIR, { recursive: true });
  return join(APP_LOG_DIR, `${app}-${label}-${Date.now().toString(36)}.log`);
}
