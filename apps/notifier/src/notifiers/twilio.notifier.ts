import twilio from 'twilio';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_TWILIO_MESSAGE_SID } from '@app/shared/tracing/attributes.js';
import { SpanKind, inSpan } from '@app/shared/tracing/spans.js';
import type { TwilioConfig } from '../config/notifier.config.js';
import { twilioAnswerFailure } from '../resilience/retry-policy.js';
import { comparableBody } from './comparable-body.js';
import { TwilioApiError, TwilioHttpClient, TwilioTransportError } from './twilio-http-client.js';
import { SmsSendError, type OutgoingSms, type SentSms, type SmsNotifier } from './sms-notifier.js';

type TwilioClient = ReturnType<typeof twilio>;

/** How far Twilio's clock (second precision) may be behind ours when looking up an earlier send. */
const LOOKUP_CLOCK_MARGIN_MS = 60_000;

/** Sends through Twilio's Messaging Service with the official client (`messages.create`). */
export class TwilioNotifier implements SmsNotifier {
  readonly kind = 'twilio' as const;
  private readonly http: TwilioHttpClient;
  private readonly client: TwilioClient;
  private readonly apiHost: string;

  constructor(private readonly config: TwilioConfig) {
    this.http = new TwilioHttpClient({ baseUrl: config.apiUrl, timeoutMs: config.timeoutMs, maxSockets: config.maxSockets });
    this.apiHost = config.apiUrl ? new URL(config.apiUrl).hostname : 'api.twilio.com';
    this.client = twilio(config.accountSid, config.authToken, {
      httpClient: this.http as unknown as NonNullable<twilio.ClientOpts['httpClient']>,
      autoRetry: false,
    });
  }

  send(sms: OutgoingSms): Promise<SentSms> {
    const attributes = { [ATTR_HTTP_REQUEST_METHOD]: 'POST', [ATTR_SERVER_ADDRESS]: this.apiHost };
    return inSpan('Twilio messages.create', { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        const message = await this.client.messages.create({
          to: sms.to,
          messagingServiceSid: this.config.messagingServiceSid,
          body: sms.body,
          ...this.receiptOptions(sms),
        });
        span.setAttribute(ATTR_TWILIO_MESSAGE_SID, message.sid);
        return { id: message.sid };
      } catch (err) {
        throw classifyTwilioError(err);
      }
    });
  }

  /**
   * Where Twilio posts this message's status callbacks (with its broadcast, so the receipt counts
   * for it; Twilio signs the whole URL, query included) and how long it may wait in Twilio's queue.
   */
  private receiptOptions(sms: OutgoingSms): { statusCallback?: string; validityPeriod?: number } {
    const { statusCallbackUrl, validityPeriodSeconds } = this.config;
    return {
      ...(statusCallbackUrl === undefined ? {} : { statusCallback: withBroadcast(statusCallbackUrl, sms.broadcastId) }),
      ...(validityPeriodSeconds === undefined ? {} : { validityPeriod: validityPeriodSeconds }),
    };
  }

  /**
   * Asks Twilio's message log whether an interrupted attempt already created this message: among
   * the newest messages to the same number, one sent by our Messaging Service, created since the
   * attempt began (clock margin) and not after now, whose text is ours once both are reduced to
   * what survives Smart Encoding and Link Shortening (comparable-body.ts), and whose SID no other
   * event has recorded. The earliest such message is the attempt's.
   */
  async findEarlierSend(sms: OutgoingSms, sinceMs: number, isTaken: (ids: string[]) => Promise<Set<string>>): Promise<SentSms | undefined> {
    if (!this.config.reconcile) return undefined;
    let instances: LoggedMessage[];
    try {
      instances = (await this.client.messages.page({ to: sms.to, pageSize: 50 })).instances;
    } catch (err) {
      const failure = classifyTwilioError(err);
      throw new SmsSendError(
        'transient',
        `looking up earlier sends failed: ${failure.message}`,
        { ...failure.details, countsAsOutage: true },
        { cause: err },
      );
    }
    const body = comparableBody(sms.body);
    const window = { from: sinceMs - LOOKUP_CLOCK_MARGIN_MS, to: Date.now() + LOOKUP_CLOCK_MARGIN_MS };
    const candidates = instances
      .filter((m) => this.ours(m) && createdWithin(m, window) && comparableBody(m.body ?? '') === body)
      .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))
      .map((m) => m.sid);
    if (candidates.length === 0) return undefined;
    const taken = await isTaken(candidates);
    const free = candidates.find((sid) => !taken.has(sid));
    return free ? { id: free } : undefined;
  }

  close(): void {
    this.http.close();
  }

  /** Sent by this notifier's Messaging Service (an inbound message or another sender's is not ours). */
  private ours(m: LoggedMessage): boolean {
    if (m.direction && !m.direction.startsWith('outbound')) return false;
    return !m.messagingServiceSid || m.messagingServiceSid === this.config.messagingServiceSid;
  }
}

/** The fields of a message of Twilio's log the lookup reads. */
type LoggedMessage = {
  sid: string;
  body: string | null;
  dateCreated: Date | null;
  direction?: string | null;
  messagingServiceSid?: string | null;
};

/** Created inside the window (Twilio's clock has second precision; a message without a date is kept). */
const createdWithin = (m: LoggedMessage, window: { from: number; to: number }): boolean =>
  m.dateCreated === null || (m.dateCreated.getTime() >= window.from && m.dateCreated.getTime() <= window.to);

/** `url` with `broadcast=<id>` added to its query (ids are URL-safe: letters, digits, `._:-`). */
export function withBroadcast(url: string, broadcastId: string | undefined): string {
  if (broadcastId === undefined) return url;
  const hash = url.indexOf('#');
  const [base, fragment] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}broadcast=${encodeURIComponent(broadcastId)}${fragment}`;
}

/** Maps any failure of the Twilio client to transient / ambiguous / permanent (resilience/retry-policy.ts). */
export function classifyTwilioError(err: unknown): SmsSendError {
  if (err instanceof SmsSendError) return err;
  if (err instanceof TwilioTransportError) {
    return new SmsSendError(err.maybeDelivered ? 'ambiguous' : 'transient', err.message, { countsAsOutage: true }, { cause: err });
  }
  const api = asApiError(err);
  if (api) {
    const details = { status: api.status, code: api.code, retryAfterMs: api.retryAfterMs };
    const text = `Twilio ${api.status}${api.code ? ` (error ${api.code})` : ''}: ${api.message}`;
    const { kind, countsAsOutage } = twilioAnswerFailure(api.status, api.code);
    return new SmsSendError(kind, text, kind === 'permanent' ? details : { ...details, countsAsOutage }, { cause: err });
  }
  // The client validates parameters before sending ("Required parameter ... missing").
  return new SmsSendError(
    'permanent',
    `Twilio client refused the message: ${err instanceof Error ? err.message : String(err)}`,
    {},
    { cause: err },
  );
}

function asApiError(err: unknown): { status: number; code?: number; message: string; retryAfterMs?: number } | undefined {
  if (err instanceof TwilioApiError) return err;
  // twilio's own RestException (status, code, message), in case another HTTP client is plugged in
  const e = err as { status?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e === 'object' && typeof e.status === 'number' && e.status >= 400) {
    return { status: e.status, code: typeof e.code === 'number' ? e.code : undefined, message: String(e.message ?? '') };
  }
  return undefined;
}
