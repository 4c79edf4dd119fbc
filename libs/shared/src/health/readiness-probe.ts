import type { HealthIndicatorService } from '@nestjs/terminus';

/**
 * One dependency's readiness under `key`: up when `check` settles within `timeoutMs`, else down with
 * `downMessage` (never the error itself, which may name hosts or credentials); `afterFailure` may
 * drop a connection that is no longer to be trusted.
 */
export async function probeReadiness(
  health: HealthIndicatorService,
  key: string,
  probe: { check: () => Promise<unknown>; timeoutMs: number; downMessage: string; afterFailure?: () => Promise<void> },
) {
  const indicator = health.check(key);
  try {
    await withTimeout(probe.check(), probe.timeoutMs);
    return indicator.up();
  } catch {
    await probe.afterFailure?.();
    return indicator.down({ message: probe.downMessage });
  }
}

export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
