// An OTLP/HTTP collector stand-in for an app running as its own process: it keeps the protobuf
// bodies posted to /v1/traces, where span names and the service name are readable UTF-8 strings.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpCollector {
  /** Env that makes an app export here (Otlp__Protocol http/protobuf). */
  env: Record<string, string>;
  /** Every body posted to /v1/traces so far, as latin1 text. */
  exported(): string;
  stop(): Promise<void>;
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type'] === 'application/x-protobuf')
        bodies.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: { Otlp__Endpoint: url, Otlp__Protocol: 'http/protobuf' },
    exported: () => bodies.join(''),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
