import { stringOr } from './env.js';

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `86400` (seconds), `90s`, `15m`, `24h` or `1d` into milliseconds; undefined when malformed or under a second. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]!;
  return Number.isSafeInteger(ms) && ms >= 1000 ? ms : undefined;
}

/** A duration env value (see parseDurationMs), at least one second, in milliseconds. */
export const duration = (fallback: string) =>
  stringOr(fallback)
    .refine((v) => parseDurationMs(v) !== undefined, 'must be a duration of at least 1s: seconds, or a number with ms, s, m, h or d')
    .transform((v) => parseDurationMs(v)!);
