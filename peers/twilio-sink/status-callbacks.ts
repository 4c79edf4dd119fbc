// How the sink plays Twilio's status callbacks: after accepting a message that names a
// StatusCallback, Twilio posts each later status of it there (never the initial one), signed
// like every Twilio webhook (X-Twilio-Signature over the URL and the POST parameters).
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';

/** A final status Twilio reports for an outbound message, and the error code that comes with it. */
export interface ReceiptPlan {
  /** The final status (default delivered). */
  status?: 'delivered' | 'undelivered' | 'failed' | 'read' | 'canceled';
  /** Twilio's error code of an undelivered or failed message, e.g. 30003 (unreachable), 30007 (filtered). */
  errorCode?: number;
  /**
   * How long the message waits in Twilio's queue before it leaves (default 0). When that exceeds
   * the message's ValidityPeriod, Twilio gives it up: `failed` with 30036, and no `sent` before.
   */
  queuedMs?: number;
  /** Send the final callback this many times (Twilio may report a status more than once). Default 1. */
  repeat?: number;
  /** Report the final status before `sent` (callbacks are separate HTTP requests; their order is not guaranteed). */
  finalFirst?: boolean;
}

export interface ReceiptRule {
  to?: string;
  bodyIncludes?: string;
  times?: number;
  receipt: ReceiptPlan;
}

/** One status callback the sink posted. */
export interface SinkCallback {
  messageSid: string;
  to: string;
  status: string;
  errorCode?: number;
  url: string;
  /** HTTP status the callback URL answered; 0 when the request failed. */
  answered: number;
  at: number;
}

export interface CallbackMessage {
  sid: string;
  accountSid: string;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  statusCallback?: string;
  validityPeriod?: number;
  status: string;
}

/** The sender Twilio would pick from the Messaging Service's pool (the sink has no real pool). */
const POOL_NUMBER = '+15005550006';
const STEP_MS = 5;

/** Twilio's RawDlrDoneDate: the carrier's YYMMDDhhmm of the receipt. */
const dlrDate = (at: Date) =>
  [at.getUTCFullYear() % 100, at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes()]
    .map((n) => String(n).padStart(2, '0'))
    .join('');

/** The callbacks of one message: `sent` (unless it expired in the queue), then its final status. */
export function plannedStatuses(message: CallbackMessage, plan: ReceiptPlan): { status: string; errorCode?: number; afterMs: number }[] {
  const queuedMs = plan.queuedMs ?? 0;
  if (message.validityPeriod !== undefined && queuedMs > message.validityPeriod * 1000) {
    return [{ status: 'failed', errorCode: 30036, afterMs: message.validityPeriod * 1000 }];
  }
  const status = plan.status ?? 'delivered';
  const errorCode = status === 'undelivered' || status === 'failed' ? (plan.errorCode ?? 30003) : undefined;
  const final = Array.from({ length: plan.repeat ?? 1 }, () => ({ status, ...(errorCode === undefined ? {} : { errorCode }) }));
  const steps = plan.finalFirst ? [...final, { status: 'sent' }] : [{ status: 'sent' }, ...final];
  return steps.map((step, i) => ({ ...step, afterMs: queuedMs + (i + 1) * STEP_MS }));
}

/** The POST parameters of one status callback, as Twilio sends them for a Messaging Service message. */
export function callbackParams(message: CallbackMessage, status: string, errorCode?: number): Record<string, string> {
  return {
    AccountSid: message.accountSid,
    ApiVersion: '2010-04-01',
    From: POOL_NUMBER,
    MessageSid: message.sid,
    MessageStatus: status,
    ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
    SmsSid: message.sid,
    SmsStatus: status,
    To: message.to,
    ...(errorCode === undefined ? {} : { ErrorCode: String(errorCode) }),
    ...(status === 'delivered' || status === 'undelivered' ? { RawDlrDoneDate: dlrDate(new Date()) } : {}),
  };
}

/** Posts one callback; resolves with the status answered (0 when the request failed). */
export async function postCallback(url: string, params: Record<string, string>, authToken: string | undefined): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' };
  if (authToken) headers['x-twilio-signature'] = getExpectedTwilioSignature(authToken, url, params);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Twilio's checks of the two parameters (the OpenAPI spec: StatusCallback a URI, ValidityPeriod an integer). */
export function receiptParameterProblem(form: URLSearchParams): { code: number | undefined; message: string } | undefined {
  const callback = form.get('StatusCallback');
  if (callback !== null) {
    const valid = /^https?:\/\/[^\s]+$/i.test(callback) && URL.canParse(callback) && !new URL(callback).hostname.includes('_');
    if (!valid || callback.length > 4000) return { code: 21609, message: "Invalid 'StatusCallback'" };
  }
  const validity = form.get('ValidityPeriod');
  if (validity !== null && !/^-?\d+$/.test(validity)) return { code: undefined, message: 'ValidityPeriod must be an integer' };
  return undefined;
}
