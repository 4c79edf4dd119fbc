/** Raised when work is given up because the process is stopping or the partition was taken away. */
export class AbandonedError extends Error {
  constructor(reason = 'abandoned') {
    super(reason);
    this.name = 'AbandonedError';
  }
}

export const isAbandoned = (err: unknown): err is AbandonedError => err instanceof AbandonedError;

/** Waits `ms`, or rejects with AbandonedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbandonedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbandonedError());
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function throwIfAbandoned(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbandonedError();
}
