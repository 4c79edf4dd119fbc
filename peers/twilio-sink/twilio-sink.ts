import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serviceBody, type MessagingServiceFeatures } from './messaging-service.js';
import {
  callbackParams,
  plannedStatuses,
  postCallback,
  receiptParameterProblem,
  type ReceiptRule,
  type SinkCallback,
} from './status-callbacks.js';

export type { ReceiptPlan, ReceiptRule, SinkCallback } from './status-callbacks.js';
export type { MessagingServiceFeatures } from './messaging-service.js';

/** A message the sink accepted (answered 201), as Twilio would have created it. */
export interface SinkMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  /** When the request was received (epoch ms). */
  receivedAt: number;
  /** From when the message list shows it (epoch ms); unset: at once. */
  listedFrom?: number;
  /** The StatusCallback and ValidityPeriod (seconds) the request carried. */
  statusCallback?: string;
  validityPeriod?: number;
  /** Its status now: accepted (queued without a Messaging Service), then what the callbacks reported. */
  status: string;
}

/** Every Messages.json POST the sink received, whatever it answered. */
export interface SinkAttempt {
  to: string;
  body: string;
  receivedAt: number;
  /** HTTP status answered; 0 when the connection was dropped without an answer. */
  status: number;
  code?: number;
}

export type SinkAction =
  /** Answer with a Twilio error (e.g. 429/20429 with Retry-After, 400/21211, 503). */
  | { status: number; code?: number; message?: string; retryAfterSeconds?: number }
  /** Create the message, then drop the connection without answering (the "sent but no answer" case). */
  | { acceptThenDrop: true; listedAfterMs?: number }
  /**
   * Create the message but answer only after `delayMs`. With `listedAfterMs`, the message list
   * shows it only that long after it was received: a lagging log, or a provider that works
   * through a request later than the client gave up on it.
   */
  | { delayMs: number; listedAfterMs?: number };

export interface SinkRule {
  /** Match on the `To` parameter (exact). Unset: every message. */
  to?: string;
  /** Match when the body contains this text. */
  bodyIncludes?: string;
  /** How many matching requests the rule applies to (default: all). */
  times?: number;
  action: SinkAction;
}

export interface TwilioSinkOptions {
  port?: number;
  host?: string;
  /** Delay of every answer, in ms (default 0). */
  latencyMs?: number;
  /** When set, requests must carry Basic auth for this account (any token unless `authToken` is set). */
  accountSid?: string;
  authToken?: string;
  /** What the Messaging Service does to bodies (Smart Encoding, Link Shortening); default nothing. */
  messagingService?: MessagingServiceFeatures;
}

export interface TwilioSink {
  /** Base URL, usable as TWILIO_API_URL. */
  readonly url: string;
  readonly port: number;
  /** Messages accepted, in arrival order. */
  readonly messages: readonly SinkMessage[];
  readonly attempts: readonly SinkAttempt[];
  /** Status callbacks posted, in order. */
  readonly callbacks: readonly SinkCallback[];
  addRule(rule: SinkRule): void;
  /** How the messages it matches end (default: sent, then delivered), reported to their StatusCallback. */
  addReceiptRule(rule: ReceiptRule): void;
  clearRules(): void;
  setLatency(ms: number): void;
  /** Turns the Messaging Service's Smart Encoding and Link Shortening on or off. */
  setMessagingService(features: MessagingServiceFeatures): void;
  /** Forgets messages, attempts and rules. */
  reset(): void;
  /** Accepted messages per `To`. */
  countByTo(): Map<string, number>;
  /** Resolves once `predicate` holds (checked on every request and every 50 ms); rejects after `timeoutMs`. */
  waitFor(predicate: (sink: TwilioSink) => boolean, timeoutMs: number, what?: string): Promise<void>;
  stop(): Promise<void>;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\.json$/;

/**
 * A Twilio-compatible stand-in for the Programmable Messaging API (create and list Messages), for
 * tests and benchmarks: it records every message it receives, and injects failures on request
 * (errors such as 429 + Retry-After, 21211, 5xx; slow answers; dropped connections).
 * Control endpoints under `/_sink/` let another process read its counters and set rules.
 */
export async function startTwilioSink(options: TwilioSinkOptions = {}): Promise<TwilioSink> {
  const host = options.host ?? '127.0.0.1';
  let latencyMs = options.latencyMs ?? 0;
  let messagingService: MessagingServiceFeatures = options.messagingService ?? {};
  let rules: (SinkRule & { used: number })[] = [];
  let messages: SinkMessage[] = [];
  let attempts: SinkAttempt[] = [];
  let receiptRules: (ReceiptRule & { used: number })[] = [];
  let callbacks: SinkCallback[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const expectedAuth =
    options.accountSid && options.authToken
      ? `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`
      : undefined;

  const notify = () => waiters.forEach((w) => w());

  const matchRule = (to: string, body: string) => {
    for (const rule of rules) {
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.to !== undefined && rule.to !== to) continue;
      if (rule.bodyIncludes !== undefined && !body.includes(rule.bodyIncludes)) continue;
      rule.used += 1;
      return rule.action;
    }
    return undefined;
  };

  const receiptPlanFor = (to: string, body: string) => {
    for (const rule of receiptRules) {
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.to !== undefined && rule.to !== to) continue;
      if (rule.bodyIncludes !== undefined && !body.includes(rule.bodyIncludes)) continue;
      rule.used += 1;
      return rule.receipt;
    }
    return {};
  };

  /** Plays the message's later statuses to its StatusCallback, as Twilio would. */
  const scheduleCallbacks = (message: SinkMessage) => {
    const url = message.statusCallback;
    if (!url) return;
    for (const step of plannedStatuses(message, receiptPlanFor(message.to, message.body))) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        message.status = step.status;
        void postCallback(url, callbackParams(message, step.status, step.errorCode), options.authToken).then((answered) => {
          const at = Date.now();
          callbacks.push({ messageSid: message.sid, to: message.to, status: step.status, errorCode: step.errorCode, url, answered, at });
          notify();
        });
      }, step.afterMs);
      timers.add(timer);
    }
  };

  const authorized = (req: IncomingMessage, accountSid: string): boolean => {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Basic ')) return false;
    if (expectedAuth) return auth === expectedAuth;
    const user = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    return options.accountSid ? user === options.accountSid : user === accountSid;
  };

  const createMessage = (req: IncomingMessage, res: ServerResponse, accountSid: string, form: URLSearchParams) => {
    const to = form.get('To') ?? '';
    const body = form.get('Body') ?? '';
    const receivedAt = Date.now();
    if (!to || (!body && !form.has('MediaUrl') && !form.has('ContentSid'))) {
      attempts.push({ to, body, receivedAt, status: 400, code: 21602 });
      return twilioError(res, 400, 21602, 'Message body is required.');
    }
    if (!form.get('From') && !form.get('MessagingServiceSid')) {
      attempts.push({ to, body, receivedAt, status: 400, code: 21603 });
      return twilioError(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
    }
    const invalid = receiptParameterProblem(form);
    if (invalid) {
      attempts.push({ to, body, receivedAt, status: 400, code: invalid.code });
      return twilioError(res, 400, invalid.code, invalid.message);
    }
    const action = matchRule(to, body);
    if (action && 'status' in action) {
      attempts.push({ to, body, receivedAt, status: action.status, code: action.code });
      notify();
      if (action.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(action.retryAfterSeconds));
      return twilioError(res, action.status, action.code, action.message ?? defaultMessage(action.status, action.code));
    }
    const message: SinkMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      accountSid,
      to,
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body: form.get('MessagingServiceSid') ? serviceBody(body, messagingService, form) : body,
      receivedAt,
      status: form.get('MessagingServiceSid') ? 'accepted' : 'queued',
      ...receiptOptions(form),
    };
    if (action && 'listedAfterMs' in action && action.listedAfterMs) message.listedFrom = receivedAt + action.listedAfterMs;
    messages.push(message);
    scheduleCallbacks(message);
    const dropped = action !== undefined && 'acceptThenDrop' in action;
    attempts.push({ to, body, receivedAt, status: dropped ? 0 : 201 });
    notify();
    if (dropped) {
      req.socket.destroy();
      return;
    }
    const delay = latencyMs + (action && 'delayMs' in action ? action.delayMs : 0);
    const answer = () => json(res, 201, messageResource(message));
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  };

  const listMessages = (res: ServerResponse, url: URL, accountSid: string) => {
    const to = url.searchParams.get('To');
    const pageSize = Math.min(Number(url.searchParams.get('PageSize') ?? 50) || 50, 1000);
    const found: SinkMessage[] = [];
    const now = Date.now();
    for (let i = messages.length - 1; i >= 0 && found.length < pageSize; i--) {
      const m = messages[i]!;
      if (m.accountSid === accountSid && (to === null || m.to === to) && (m.listedFrom ?? 0) <= now) found.push(m);
    }
    const uri = `${url.pathname}?${url.searchParams.toString()}`;
    json(res, 200, {
      messages: found.map(messageResource),
      end: Math.max(0, found.length - 1),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  };

  const control = (req: IncomingMessage, res: ServerResponse, url: URL, text: string) => {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_sink/stats') return json(res, 200, stats(messages, attempts));
    if (route === 'POST /_sink/reset') {
      sink.reset();
      return json(res, 200, { ok: true });
    }
    if (route === 'POST /_sink/rules') {
      for (const rule of JSON.parse(text || '[]') as SinkRule[]) sink.addRule(rule);
      return json(res, 200, { rules: rules.length });
    }
    if (route === 'POST /_sink/messaging-service') {
      sink.setMessagingService(JSON.parse(text || '{}') as MessagingServiceFeatures);
      return json(res, 200, messagingService);
    }
    if (route === 'POST /_sink/receipts') {
      for (const rule of JSON.parse(text || '[]') as ReceiptRule[]) sink.addReceiptRule(rule);
      return json(res, 200, { receiptRules: receiptRules.length });
    }
    if (route === 'DELETE /_sink/rules') {
      sink.clearRules();
      return json(res, 200, { rules: 0 });
    }
    if (route === 'POST /_sink/latency') {
      sink.setLatency(Number((JSON.parse(text || '{}') as { ms?: unknown }).ms ?? 0));
      return json(res, 200, { latencyMs });
    }
    return json(res, 404, { message: 'unknown control route' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        if (url.pathname.startsWith('/_sink/')) return control(req, res, url, text);
        const match = MESSAGES_PATH.exec(url.pathname);
        if (!match) return twilioError(res, 404, 20404, 'The requested resource was not found');
        const accountSid = match[1]!;
        if (!authorized(req, accountSid)) return twilioError(res, 401, 20003, 'Authenticate');
        if (req.method === 'POST') return createMessage(req, res, accountSid, new URLSearchParams(text));
        if (req.method === 'GET') return listMessages(res, url, accountSid);
        return twilioError(res, 405, 20004, 'Method not allowed');
      } catch (err) {
        return json(res, 500, { code: 20500, message: `sink error: ${err instanceof Error ? err.message : String(err)}`, status: 500 });
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const sink: TwilioSink = {
    url: `http://${host}:${port}`,
    port,
    get messages() {
      return messages;
    },
    get attempts() {
      return attempts;
    },
    get callbacks() {
      return callbacks;
    },
    addRule: (rule) => rules.push({ ...rule, used: 0 }),
    addReceiptRule: (rule) => receiptRules.push({ ...rule, used: 0 }),
    clearRules: () => {
      rules = [];
      receiptRules = [];
    },
    setLatency: (ms) => (latencyMs = Math.max(0, ms)),
    setMessagingService: (features) => (messagingService = { ...features }),
    reset: () => {
      messages = [];
      attempts = [];
      rules = [];
      receiptRules = [];
      callbacks = [];
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    countByTo: () => {
      const counts = new Map<string, number>();
      for (const m of messages) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
      return counts;
    },
    waitFor: (predicate, timeoutMs, what = 'condition') =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(sink)) return;
          cleanup();
          resolve();
        };
        const poll = setInterval(check, 50);
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`twilio sink: ${what} not reached within ${timeoutMs} ms (${messages.length} messages, ${attempts.length} attempts)`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearInterval(poll);
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  return sink;
}

/** Counters for another process (the benchmark): totals, first/last acceptance, duplicate texts per recipient. */
export function stats(messages: readonly SinkMessage[], attempts: readonly SinkAttempt[]) {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const m of messages) {
    const k = `${m.to}\u0000${m.body}`;
    if (seen.has(k)) duplicates += 1;
    else seen.add(k);
  }
  return {
    accepted: messages.length,
    attempts: attempts.length,
    duplicates,
    firstAcceptedAt: messages[0]?.receivedAt ?? null,
    lastAcceptedAt: messages[messages.length - 1]?.receivedAt ?? null,
  };
}

function messageResource(m: SinkMessage) {
  const created = new Date(m.receivedAt).toUTCString().replace('GMT', '+0000');
  const uri = `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: m.accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: created,
    date_sent: null,
    date_updated: created,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: uri.replace('.json', '/Media.json') },
    to: m.to,
    uri,
  };
}

/** StatusCallback and ValidityPeriod as the message keeps them (a ValidityPeriod outside 1-36000 is Twilio's default). */
function receiptOptions(form: URLSearchParams): Pick<SinkMessage, 'statusCallback' | 'validityPeriod'> {
  const callback = form.get('StatusCallback');
  const validity = Number(form.get('ValidityPeriod') ?? NaN);
  return {
    ...(callback ? { statusCallback: callback } : {}),
    ...(Number.isInteger(validity) && validity >= 1 && validity <= 36_000 ? { validityPeriod: validity } : {}),
  };
}

function defaultMessage(status: number, code?: number): string {
  if (code === 21211) return "The 'To' number is not a valid phone number.";
  if (code === 21610) return 'Attempt to send to unsubscribed recipient';
  if (code === 21408) return "Permission to send an SMS has not been enabled for the region indicated by the 'To' number";
  if (status === 429) return 'Too Many Requests';
  if (status >= 500) return 'Internal Server Error';
  return `Error ${code ?? status}`;
}

function twilioError(res: ServerResponse, status: number, code: number | undefined, message: string): void {
  json(res, status, { code: code ?? null, message, more_info: code ? `https://www.twilio.com/docs/errors/${code}` : null, status });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
