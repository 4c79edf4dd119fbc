import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayFetch, type GatewayFetch } from './gateway-transport.js';

describe('gatewayFetch', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;
  const seen: Array<{ authorization?: string; body: string }> = [];
  let transport: GatewayFetch | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ authorization: req.headers.authorization, body });
        handler(req, body, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterEach(() => {
    transport?.close();
    seen.length = 0;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function tokens(...issued: string[]) {
    const invalidated: Array<string | undefined> = [];
    let i = 0;
    return {
      invalidated,
      source: {
        getToken: () => Promise.resolve(issued[Math.min(i, issued.length - 1)] as string),
        invalidate: (t?: string) => {
          invalidated.push(t);
          i += 1;
        },
      },
    };
  }

  it('sends the body with a bearer token and hands back status, headers and text', async () => {
    handler = (_req, body, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' }).end(body.toUpperCase());
    transport = gatewayFetch({ timeoutMs: 2000, tokens: tokens('tok-1').source });
    const response = await transport.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":"é"}' });
    expect([response.status, response.ok, response.headers.get('x-echo')]).toEqual([200, true, 'yes']);
    expect(await response.text()).toBe('{"Q":"É"}');
    await expect(response.text()).rejects.toThrow(TypeError); // a body is read once, as with fetch
    expect(seen).toEqual([{ authorization: 'Bearer tok-1', body: '{"q":"é"}' }]);
  });

  it('after a 401 forgets that token and retries once with a fresh one', async () => {
    handler = (req, _body, res) => res.writeHead(req.headers.authorization === 'Bearer fresh' ? 200 : 401).end('{}');
    const t = tokens('stale', 'fresh');
    transport = gatewayFetch({ timeoutMs: 2000, tokens: t.source });
    expect((await transport.fetch(url, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(t.invalidated).toEqual(['stale']);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('answers a second 401 as it is (no retry loop)', async () => {
    handler = (_req, _body, res) => res.writeHead(401).end('no');
    transport = gatewayFetch({ timeoutMs: 2000, tokens: tokens('a', 'b').source });
    expect((await transport.fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(seen).toHaveLength(2);
  });

  it('fails like fetch: TimeoutError after timeoutMs, TypeError when the connection fails', async () => {
    handler = () => undefined; // never answers
    transport = gatewayFetch({ timeoutMs: 100, tokens: tokens('t').source });
    await expect(transport.fetch(url, { method: 'POST', body: '{}' })).rejects.toMatchObject({ name: 'TimeoutError' });
    const closed = gatewayFetch({ timeoutMs: 1000, tokens: tokens('t').source });
    await expect(closed.fetch('http://127.0.0.1:1/graphql', { method: 'POST', body: '{}' })).rejects.toMatchObject({
      name: 'TypeError',
      cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });
    closed.close();
  });

  it('stops when the caller aborts', async () => {
    handler = () => undefined;
    transport = gatewayFetch({ timeoutMs: 5000, tokens: tokens('t').source });
    const controller = new AbortController();
    const pending = transport.fetch(url, { method: 'POST', body: '{}', signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
