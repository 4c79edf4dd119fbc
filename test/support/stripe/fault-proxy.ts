// A small HTTP proxy in front of a real peer (the test gateway, stripe-mock) that fails chosen
// requests: `before` answers without forwarding (the peer never sees it), `after` forwards and then
// answers the failure instead of the peer's answer (the change happened, the caller cannot know).
// It can also edit the peer's JSON answer (stripe-mock is stateless and answers every checkout
// session with its one fixture line item; a test edits that answer to list its own line items).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
}

export interface FaultRule {
  match: (req: ProxiedRequest) => boolean;
  /** How many matching requests fail. */
  times: number;
  when: 'before' | 'after';
  status: number;
  /** Response body (default: a Stripe-shaped API error, which both peers' clients read as a 5xx). */
  body?: string;
}

export interface RewriteRule {
  match: (req: ProxiedRequest) => boolean;
  /** The answer to send instead of the peer's (parsed JSON); the peer's status and headers are kept. */
  edit: (answer: unknown) => unknown;
}

export interface FaultProxy {
  /** The proxy's base URL (same path layout as the target). */
  url: string;
  fail(rule: FaultRule): void;
  /** Edits every answer to a matching request, until `stop`. */
  rewrite(rule: RewriteRule): void;
  /** Headers of every request forwarded so far, in order. */
  forwardedHeaders(): IncomingMessage['headers'][];
  /** Requests that matched a rule and were failed. */
  failedCount(): number;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: FaultRule[] = [];
  const rewrites: RewriteRule[] = [];
  const forwarded: IncomingMessage['headers'][] = [];
  let failed = 0;

  const takeRule = (req: ProxiedRequest): FaultRule | undefined => {
    const rule = rules.find((r) => r.times > 0 && r.match(req));
    if (rule) {
      rule.times -= 1;
      failed += 1;
    }
    return rule;
  };

  const answerFailure = (res: ServerResponse, rule: FaultRule) => {
    const body = rule.body ?? JSON.stringify({ error: { type: 'api_error', message: 'Injected failure' } });
    res.writeHead(rule.status, { 'content-type': 'application/json' }).end(body);
  };

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      forwarded.push(req.headers);
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const proxied = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') };
      const rule = takeRule(proxied);
      if (rule?.when === 'before') return answerFailure(res, rule);
      const rewrite = rewrites.find((r) => r.match(proxied));
      forward(req, body).then(
        (answer) => {
          if (rule) return answerFailure(res, rule);
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          const sent = rewrite ? Buffer.from(JSON.stringify(rewrite.edit(JSON.parse(answer.body.toString('utf8'))))) : answer.body;
          if (rewrite) headers['content-length'] = String(sent.length);
          res.writeHead(answer.status, headers).end(sent);
        },
        () => res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway'),
      );
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${upstream.pathname === '/' ? '' : upstream.pathname}`,
    fail: (rule) => rules.push({ ...rule }),
    rewrite: (rule) => rewrites.push(rule),
    forwardedHeaders: () => [...forwarded],
    failedCount: () => failed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Matches a GraphQL request by its operation name. */
export const graphqlOperation = (name: string) => (req: ProxiedRequest) => req.body.includes(`"operationName":"${name}"`);
