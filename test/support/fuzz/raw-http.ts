// A bare HTTP/1.1 client over node:net: it sends exactly the bytes it is given (fetch and
// node:http would refuse or repair CR/LF in headers, invalid bytes, duplicated or wrong
// Content-Length), and reads back the first response the server writes.
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method?: string;
  /** Path and query exactly as sent, e.g. `/api/X?code=a&code=b`. */
  target: string;
  /** Header lines exactly as sent (name, value); nothing is added except Host and Connection when absent. */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Half-close after writing (for a body shorter than its Content-Length: the client gives up). */
  endAfterWrite?: boolean;
  /** A second request written right behind this one on the same connection (HTTP/1.1 pipelining). */
  pipelined?: RawRequest;
  /** A slow client: writes the first `upfrontBytes`, then one more byte every `intervalMs` until the server closes. */
  slow?: { upfrontBytes: number; intervalMs: number };
}

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The answer to the pipelined request, when there was one. */
  next?: RawResponse;
  /** From connecting to the server's close (set by sendRaw). */
  elapsedMs?: number;
}

const CRLF = '\r\n';

/** The request as bytes on the wire: request line, header lines, blank line, body. */
export function requestBytes(req: RawRequest, host: string): Buffer {
  const names = new Set(req.headers.map(([n]) => n.toLowerCase()));
  const headers = [...req.headers];
  if (!names.has('host')) headers.unshift(['Host', host]);
  if (!names.has('connection')) headers.push(['Connection', 'close']);
  const head = `${req.method ?? 'POST'} ${req.target} HTTP/1.1${CRLF}${headers.map(([n, v]) => `${n}: ${v}`).join(CRLF)}${CRLF}${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), req.body ?? Buffer.alloc(0)]);
}

/** Sends one request on a fresh connection; resolves with the first response once the server closes. */
export function sendRaw(port: number, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const started = Date.now();
    const chunks: Buffer[] = [];
    let trickle: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      clearInterval(trickle);
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${req.method ?? 'POST'} ${req.target.slice(0, 80)}`));
    }, timeoutMs);
    socket.on('connect', () => {
      const host = `127.0.0.1:${port}`;
      const first = req.pipelined ? { ...req, headers: [...req.headers, ['Connection', 'keep-alive'] as [string, string]] } : req;
      const bytes = req.pipelined ? Buffer.concat([requestBytes(first, host), requestBytes(req.pipelined, host)]) : requestBytes(req, host);
      if (req.slow) trickle = writeSlowly(socket, bytes, req.slow);
      else socket.write(bytes);
      if (req.endAfterWrite) socket.end();
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that answers before reading the whole body may reset the connection while we still write.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearInterval(trickle);
      const bytes = Buffer.concat(chunks);
      const elapsedMs = Date.now() - started;
      resolve({ ...(req.pipelined ? readPipelined(bytes) : parseResponse(bytes)), elapsedMs });
    });
  });
}

/** Writes the first bytes at once and the rest one byte per interval (a slowloris client); stops when the socket closes. */
function writeSlowly(socket: Socket, bytes: Buffer, slow: NonNullable<RawRequest['slow']>): NodeJS.Timeout {
  socket.write(bytes.subarray(0, slow.upfrontBytes));
  let at = slow.upfrontBytes;
  const trickle = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) return clearInterval(trickle);
    socket.write(bytes.subarray(at, at + 1));
    at += 1;
  }, slow.intervalMs);
  return trickle;
}

/** The first response in `bytes` (status 0 when there is none). */
export function parseResponse(bytes: Buffer): RawResponse {
  return readResponse(bytes).response;
}

/** The first response in `bytes`, and where it ends (the next pipelined answer starts there). */
function readResponse(bytes: Buffer): { response: RawResponse; end: number } {
  let at = 0;
  // Interim answers (100 Continue) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(at, at + 13).toString('latin1')) && bytes.indexOf('\r\n\r\n', at) >= 0) {
    at = bytes.indexOf('\r\n\r\n', at) + 4;
  }
  const headEnd = bytes.indexOf('\r\n\r\n', at);
  if (headEnd < 0) return { response: { status: 0, headers: {}, body: Buffer.alloc(0) }, end: bytes.length };
  const [statusLine, ...lines] = bytes.subarray(at, headEnd).toString('latin1').split(CRLF);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return { response: { status, headers, body: dechunk(rest) }, end: bytes.length };
  const length = headers['content-length'] === undefined ? rest.length : Number(headers['content-length']);
  return { response: { status, headers, body: rest.subarray(0, length) }, end: headEnd + 4 + length };
}

/** Both answers of a pipelined pair, in order. */
function readPipelined(bytes: Buffer): RawResponse {
  const first = readResponse(bytes);
  return { ...first.response, next: readResponse(bytes.subarray(first.end)).response };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
