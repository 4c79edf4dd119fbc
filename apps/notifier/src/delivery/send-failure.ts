import { sendRetryReason } from '../metrics/notifier-metrics.js';
import { isSmsSendError } from '../notifiers/sms-notifier.js';
import type { Failure } from './retry-runner.js';

/**
 * How a failed send is retried. After an ambiguous failure (no answer once the request was
 * written) the provider may still create the message, or list it only later: the next attempt
 * waits at least `settleMs`, then looks in the provider's log before sending again.
 */
export function sendFailure(err: unknown, settleMs: number): Failure {
  if (!isSmsSendError(err)) return { kind: 'transient', message: err instanceof Error ? err.message : String(err), countsAsOutage: true };
  return {
    kind: err.kind === 'permanent' ? 'permanent' : 'transient',
    message: err.message,
    reason: sendRetryReason(err),
    retryAfterMs: err.details.retryAfterMs,
    countsAsOutage: err.details.countsAsOutage ?? true,
    ...(err.kind === 'ambiguous' ? { minDelayMs: settleMs } : {}),
  };
}
