// Failure injection for the test gateway: a queue of the next failures, plus a seeded random rate.

export type FailureMode =
  /** HTTP 503, plain text: the gateway or something in front of it is down. */
  | 'http503'
  /** HTTP 429 with Retry-After. */
  | 'http429'
  /** HTTP 401 although the token is valid (as after a key rotation upstream). */
  | 'http401'
  /** The answer is delayed by `slowMs`, then processed normally (mutations still apply). */
  | 'slow'
  /**
   * HTTP 200, HotChocolate's answer to an exception in a resolver: the first root field is null
   * and `errors` holds `"Unexpected Execution Error"` with its locations and path, and no code.
   * The operation does not run. May succeed when retried.
   */
  | 'executionError'
  /**
   * HTTP 200, HotChocolate's answer when the caller lacks the role a field needs: the first root
   * field is null, `extensions.code` is `AUTH_NOT_AUTHORIZED`. The operation does not run.
   */
  | 'notAuthorized'
  /**
   * HTTP 400, HotChocolate's answer to a document that does not validate (here: the first root
   * field reported unknown), no `data`, `extensions.specifiedBy` naming the spec rule, no code.
   */
  | 'validationError'
  /** The connection is reset before any processing. */
  | 'reset'
  /** The request is processed (mutations apply) but the connection is reset instead of answering. */
  | 'lostResponse';

/** mulberry32: small, fast, deterministic for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FailurePlan {
  private queue: FailureMode[] = [];
  private rate = 0;
  private mode: FailureMode = 'http503';
  private random: () => number = seededRandom(1);

  failNext(n: number, mode: FailureMode): void {
    for (let i = 0; i < n; i++) this.queue.push(mode);
  }

  setFailureRate(rate: number, mode: FailureMode, seed = 1): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('rate must be between 0 and 1');
    this.rate = rate;
    this.mode = mode;
    this.random = seededRandom(seed);
  }

  clear(): void {
    this.queue = [];
    this.rate = 0;
  }

  /** The failure to inject into the next request, if any. */
  next(): FailureMode | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    return this.rate > 0 && this.random() < this.rate ? this.mode : undefined;
  }
}
