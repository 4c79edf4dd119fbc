// The `fetch` Apollo's HttpLink sends gateway requests with. It is where each request gets its
// bearer token (and one retry with a fresh token after a 401), its timeout, and a keep-alive
// connection. Built on node:http(s) rather than the global fetch: undici's fetch costs about half a
// millisecond of CPU per request in WHATWG streams, AbortSignal plumbing and header validation,
// which made it the largest single cost of a webhook that makes two gateway calls (see
// docs/benchmarks-webhooks.md). The answer is read completely and handed to Apollo as a
// `Response` (BufferedResponse below).
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AccessTokenSource } from '../oidc/oidc-token-provider.js';
import { graphqlOperationName, tracedGatewayRequest } from '../tracing/http-tracing.js';

export interface GatewayFetchOptions {
  /** Per-request timeout; the request fails with a `TimeoutError` DOMException, as `AbortSignal.timeout` does. */
  timeoutMs: number;
  tokens: AccessTokenSource;
  /** Most connections kept open to the gateway at once (default 64). */
  maxSockets?: number;
}

export interface GatewayFetch {
  fetch: typeof fetch;
  /** Closes the idle keep-alive connections. */
  close(): void;
}

/** Bodies the gateway answers without (RFC 9110); `new Response` refuses a body for them. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export function gatewayFetch(options: GatewayFetchOptions): GatewayFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  async function authorizedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : new URL(input.url);
    const token = await options.tokens.getToken();
    const response = await send(url, init, token);
    if (response.status !== 401) return response;
    // The token may have been revoked or rotated upstream: forget that one and try once more.
    options.tokens.invalidate(token);
    return send(url, init, await options.tokens.getToken());
  }

  function send(url: URL, init: RequestInit | undefined, token: string): Promise<Response> {
    const body = typeof init?.body === 'string' ? init.body : '';
    return tracedGatewayRequest(url, graphqlOperationName(body), (traceHeaders) =>
      sendOnce(url, init, body, Object.assign(plainHeaders(init?.headers), traceHeaders), token),
    );
  }

  function sendOnce(
    url: URL,
    init: RequestInit | undefined,
    body: string,
    headers: Record<string, string>,
    token: string,
  ): Promise<Response> {
    headers['authorization'] = `Bearer ${token}`;
    headers['content-length'] = String(Buffer.byteLength(body));
    const secure = url.protocol === 'https:';
    const signal = init?.signal ?? undefined;

    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let settled = false;
      const settle = (error: unknown, response?: Response) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (response) resolve(response);
        else reject(error);
      };
      const request = (secure ? https : http).request(
        url,
        { method: init?.method ?? 'POST', headers, agent: secure ? agents.https : agents.http },
        (res) =>
          readResponse(res, url).then(
            (response) => settle(undefined, response),
            (err: unknown) => settle(networkError(err)),
          ),
      );
      const timer = setTimeout(() => {
        const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
        settle(timeout);
        request.destroy(timeout);
      }, options.timeoutMs);
      const onAbort = () => {
        settle(signal?.reason);
        request.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (err) => settle(networkError(err)));
      request.end(body); // headers and body leave in one write
    });
  }

  return {
    fetch: authorizedFetch as typeof fetch,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function readResponse(res: IncomingMessage, url: URL): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
    res.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else if (value !== undefined) headers.set(name, value);
      }
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
      resolve(new BufferedResponse(res.statusCode ?? 502, res.statusMessage ?? '', headers, url.href, text) as unknown as Response);
    });
  });
}

/**
 * The answer, read completely, with the part of the `Response` interface HttpLink and Apollo's
 * errors use (status, headers, text/json; `body` as a stream on demand). A real `Response` would
 * wrap the text in a web stream only for HttpLink to read it back out, about 20 µs per request.
 */
class BufferedResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  private used = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
    private readonly bodyText: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.toResponse().body;
  }

  text(): Promise<string> {
    if (this.used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.used = true;
    return Promise.resolve(this.bodyText);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(await this.text()).buffer;
  }

  clone(): BufferedResponse {
    return new BufferedResponse(this.status, this.statusText, new Headers(this.headers), this.url, this.bodyText);
  }

  private toResponse(): Response {
    this.used = true;
    return new Response(NULL_BODY_STATUSES.has(this.status) ? null : this.bodyText, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    });
  }
}

/** What fetch callers pass as headers (HttpLink passes a plain object), as a plain lower-case object. */
function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers instanceof Headers ? headers.entries() : headers) out[String(name).toLowerCase()] = String(value);
    return out;
  }
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
  return out;
}

/** As fetch reports them: a TypeError whose cause is the socket error (mapped to `network`). */
function networkError(err: unknown): unknown {
  if (err instanceof DOMException) return err; // timeout or abort, already in fetch's shape
  return new TypeError('fetch failed', { cause: err });
}
