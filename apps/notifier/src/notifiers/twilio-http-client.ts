import http from 'node:http';
import https from 'node:https';

/** What the `twilio` library hands to its HTTP client (the subset this client uses). */
export interface TwilioRequestOptions {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  data?: Record<string, unknown>;
  timeout?: number;
}

export interface TwilioHttpResponse {
  statusCode: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Twilio answered with an HTTP error. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    readonly retryAfterMs: number | undefined,
    readonly moreInfo: string | undefined,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }
}

/** No answer from Twilio. `maybeDelivered` is true when the request may have reached it (timeout, reset). */
export class TwilioTransportError extends Error {
  constructor(
    message: string,
    readonly maybeDelivered: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TwilioTransportError';
  }
}

export interface TwilioHttpClientOptions {
  /** Replaces `https://api.twilio.com` (and any other twilio.com host): Prism, the test sink, staging. */
  baseUrl?: string;
  timeoutMs: number;
  maxSockets: number;
}

/** Codes of failures that happen before a request could reach the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * HTTP client for the `twilio` library (its `httpClient` option) on Node's keep-alive agents.
 * The library's default client goes through axios, which costs about half of the throughput on
 * this path; this one also reports Retry-After and tells "maybe delivered" failures apart.
 * It is on the hot path of every SMS, hence the plain string handling (no URL objects).
 */
export class TwilioHttpClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly target?: { hostname: string; port?: number; pathPrefix: string };

  constructor(private readonly options: TwilioHttpClientOptions) {
    const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
    if (base)
      this.target = {
        hostname: base.hostname,
        port: base.port ? Number(base.port) : undefined,
        pathPrefix: base.pathname.replace(/\/+$/, ''),
      };
    const secure = (base?.protocol ?? 'https:') === 'https:';
    const agentOptions = {
      keepAlive: true,
      keepAliveMsecs: 15_000,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      scheduling: 'lifo' as const,
    };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.transport = secure ? https : http;
  }

  request(opts: TwilioRequestOptions): Promise<TwilioHttpResponse> {
    const body = opts.data ? formEncode(opts.data) : undefined;
    const headers: Record<string, string | number> = { ...opts.headers, Connection: 'keep-alive' };
    if (opts.username && opts.password) headers.Authorization = this.basicAuth(opts.username, opts.password);
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const timeoutMs = opts.timeout ?? this.options.timeoutMs;
    const request = { ...this.destination(opts.uri, opts.params), method: opts.method.toUpperCase(), agent: this.agent, headers };

    return new Promise<TwilioHttpResponse>((resolve, reject) => {
      const req = this.transport.request(request, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (err) => reject(new TwilioTransportError(`Twilio response failed: ${err.message}`, true, { cause: err })));
        res.on('end', () => {
          this.deadlines.delete(req);
          const statusCode = res.statusCode ?? 0;
          if (statusCode >= 400) reject(apiError(statusCode, text, res.headers));
          else resolve({ statusCode, body: text, headers: res.headers });
        });
      });
      this.watch(req, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        this.deadlines.delete(req);
        if (err instanceof TwilioTransportError) return reject(err);
        // Once the request was fully handed to the socket, Twilio may have acted on it.
        const maybeDelivered = req.writableFinished && !NOT_SENT_CODES.has(err.code ?? '');
        reject(new TwilioTransportError(`Twilio request failed: ${err.code ?? err.message}`, maybeDelivered, { cause: err }));
      });
      req.end(body);
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.agent.destroy();
  }

  /**
   * Request timeouts: one sweep every 100 ms over the requests in flight, rather than a timer per
   * request (which costs more than the rest of the client on this path).
   */
  private readonly deadlines = new Map<http.ClientRequest, { at: number; ms: number }>();
  private sweeper?: NodeJS.Timeout;

  private watch(req: http.ClientRequest, timeoutMs: number): void {
    this.deadlines.set(req, { at: Date.now() + timeoutMs, ms: timeoutMs });
    this.sweeper ??= setInterval(() => {
      const now = Date.now();
      for (const [pending, deadline] of this.deadlines) {
        if (now < deadline.at) continue;
        this.deadlines.delete(pending);
        pending.destroy(new TwilioTransportError(`Twilio did not answer within ${deadline.ms} ms`, true));
      }
      if (this.deadlines.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, 100);
    this.sweeper.unref();
  }

  private lastAuth?: { user: string; password: string; header: string };

  private basicAuth(user: string, password: string): string {
    if (this.lastAuth?.user !== user || this.lastAuth.password !== password) {
      this.lastAuth = { user, password, header: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    }
    return this.lastAuth.header;
  }

  /** Host and path of `uri` (an https://*.twilio.com URL), moved to the configured base URL if any. */
  private destination(uri: string, params: Record<string, unknown> | undefined): { hostname: string; port?: number; path: string } {
    const pathStart = uri.indexOf('/', uri.indexOf('//') + 2);
    let path = pathStart < 0 ? '/' : uri.slice(pathStart);
    if (params) {
      const query = formEncode(params);
      if (query) path += (path.includes('?') ? '&' : '?') + query;
    }
    if (this.target) return { hostname: this.target.hostname, port: this.target.port, path: this.target.pathPrefix + path };
    const authority = uri.slice(uri.indexOf('//') + 2, pathStart < 0 ? undefined : pathStart);
    const [hostname, port] = authority.split(':') as [string, string | undefined];
    return { hostname, port: port ? Number(port) : undefined, path };
  }
}

function formEntries(values: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push([name, item instanceof Date ? item.toISOString() : String(item)]);
  }
  return out;
}

function formEncode(values: Record<string, unknown>): string {
  let out = '';
  for (const [name, value] of formEntries(values)) out += `${out ? '&' : ''}${encodeForm(name)}=${encodeForm(value)}`;
  return out;
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (space as +). */
const encodeForm = (text: string): string =>
  encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function apiError(status: number, text: string, headers: http.IncomingHttpHeaders): TwilioApiError {
  let code: number | undefined;
  let message = `Twilio answered HTTP ${status}`;
  let moreInfo: string | undefined;
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; more_info?: unknown; title?: unknown; detail?: unknown };
    if (typeof body.code === 'number') code = body.code;
    if (typeof body.message === 'string') message = body.message;
    // Problem+JSON (RFC 7807), as API gateways and Prism's request validation answer
    else if (typeof body.title === 'string') message = `${body.title}${typeof body.detail === 'string' ? `: ${body.detail}` : ''}`;
    if (typeof body.more_info === 'string') moreInfo = body.more_info;
  } catch {
    // not a Twilio-shaped body (a proxy, Prism's validation errors): status is all we have
  }
  return new TwilioApiError(status, code, message, retryAfterMs(headers['retry-after']), moreInfo);
}

/** Retry-After as seconds or as an HTTP date. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
