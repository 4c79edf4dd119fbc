/** An SMS ready to go out: the decrypted number and the localized text. */
export interface OutgoingSms {
  to: string;
  body: string;
  /** The broadcast it belongs to (the `nudges-broadcast-id` header), so its delivery receipt is counted for it. */
  broadcastId?: string;
}

export interface SentSms {
  /** Provider id of the message (Twilio's `SM…` SID; `local-…` for the LocalNotifier). */
  id: string;
}

export interface SmsLogContext {
  correlationId: string;
}

/** Sends SMS. Throws only `SmsSendError`. */
export interface SmsNotifier {
  readonly kind: 'local' | 'twilio';
  send(sms: OutgoingSms, context: SmsLogContext): Promise<SentSms>;
  /**
   * Looks for a message that an earlier, interrupted attempt may have handed to the provider
   * (same recipient and text, created at or after `sinceMs`, not in `excludeIds`). `undefined`
   * when the provider has none, or when this notifier cannot tell (then the caller sends).
   * Throws `SmsSendError` (transient) when the provider cannot be asked right now.
   */
  findEarlierSend?(sms: OutgoingSms, sinceMs: number, isTaken: (ids: string[]) => Promise<Set<string>>): Promise<SentSms | undefined>;
  /** Frees connections on shutdown. */
  close?(): void;
}

export const SMS_NOTIFIER = Symbol('SMS_NOTIFIER');

/**
 * - `transient`: retrying later can succeed and the request surely did not reach the provider
 *   (connection refused, 5xx answered, 429).
 * - `ambiguous`: transient, but the provider may have accepted the message (timeout, connection
 *   reset mid-request); look it up before sending again.
 * - `permanent`: the provider refused this message; retrying cannot help.
 */
export type SmsFailureKind = 'transient' | 'ambiguous' | 'permanent';

export class SmsSendError extends Error {
  constructor(
    readonly kind: SmsFailureKind,
    message: string,
    readonly details: {
      /** HTTP status, when the provider answered. */
      status?: number;
      /** Provider error code (Twilio: 21211, 20429, ...). */
      code?: number;
      /** Provider's Retry-After, in ms. */
      retryAfterMs?: number;
      /** Whether a failing attempt says something about the provider's health (opens the breaker). */
      countsAsOutage?: boolean;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmsSendError';
  }
}

export const isSmsSendError = (err: unknown): err is SmsSendError => err instanceof SmsSendError;
