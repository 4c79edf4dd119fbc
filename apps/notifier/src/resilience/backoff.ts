export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Random source in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with "full
 * jitter" (uniform in [cap/2, cap]) so processes that failed together do not retry together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}
