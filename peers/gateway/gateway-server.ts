// The test stand-in for the Nudges GraphQL gateway: graphql-yoga on node:http, serving the
// published-schema subset plus this project's extensions over an in-memory store. Every request
// needs a bearer token from the OIDC stand-in (verified against its JWKS, issuer checked).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getLocation, isNonNullType, Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { FailurePlan, type FailureMode } from './failures.js';
import { createResolvers, type MutationRecord, type PageRequest } from './resolvers.js';
import { testGatewaySdl } from './schema.js';
import { GatewayStore } from './store.js';

export type { FailureMode } from './failures.js';
export type { MutationRecord, PageRequest } from './resolvers.js';

/** HotChocolate's `UsePaging()` defaults, which the Nudges gateway keeps. */
export const HOT_CHOCOLATE_MAX_PAGE_SIZE = 50;
export const HOT_CHOCOLATE_DEFAULT_PAGE_SIZE = 10;

export interface GatewayOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Expected `iss` of access tokens, e.g. the OIDC stand-in's `issuer`. */
  issuer: string;
  /** Where the signing keys are, e.g. the OIDC stand-in's `jwksUrl`. */
  jwksUrl: string;
  /** When set, tokens must carry this `aud`. */
  audience?: string;
  /** Largest accepted `first`/`last` (HotChocolate's MaxPageSize). Default 50, as the real gateway. */
  maxPageSize?: number;
  /** Page size when a connection is asked without `first`/`last`. Default 10, as the real gateway. */
  defaultPageSize?: number;
  /** Delay of the `slow` failure mode. Default 3000 ms. */
  slowMs?: number;
  /** Data to start with. */
  store?: GatewayStore;
}

export interface TestGateway {
  /** The GraphQL endpoint, what GRAPHQL_API_URL should be set to. */
  url: string;
  store: GatewayStore;
  /** Every mutation the gateway processed, in order, with its input and outcome. */
  mutations: readonly MutationRecord[];
  /** The next `n` authenticated requests fail with `mode`. */
  failNext(n: number, mode: FailureMode): void;
  /** From now on, each authenticated request fails with probability `rate` (seeded, deterministic). 0 turns it off. */
  setFailureRate(rate: number, mode: FailureMode, seed?: number): void;
  /** While down, every connection is reset. */
  setDown(down: boolean): void;
  /** HTTP requests received on the GraphQL endpoint (including refused ones). */
  requestCount(): number;
  /** Requests answered 401 because of a missing, invalid, expired or revoked token. */
  unauthorizedCount(): number;
  /** Every token accepted so far is rejected from now on (as if revoked). */
  revokeTokensSeenSoFar(): void;
  /** The connection fields resolved since the start (or the last reset), oldest first; the latest 10,000 are kept. */
  pageRequests(): readonly PageRequest[];
  /** The largest `first` or `last` any request asked for since the start (or the last reset); 0 when none did. */
  largestPageRequested(): number;
  /** Forgets the page requests seen so far. */
  resetPageRequests(): void;
  stop(): Promise<void>;
}

const PAGE_LOG_LIMIT = 10_000;

export async function startGateway(options: GatewayOptions): Promise<TestGateway> {
  const store = options.store ?? new GatewayStore();
  const mutations: MutationRecord[] = [];
  const failures = new FailurePlan();
  const state = { down: false, requests: 0, unauthorized: 0 };
  const seenTokens = new Set<string>();
  const revokedTokens = new Set<string>();
  const slowMs = options.slowMs ?? 3000;
  const timers = new Set<NodeJS.Timeout>();
  const pages = { log: [] as PageRequest[], largest: 0 };
  const onPageRequest = (request: PageRequest) => {
    pages.largest = Math.max(pages.largest, request.first ?? 0, request.last ?? 0);
    pages.log.push(request);
    if (pages.log.length > PAGE_LOG_LIMIT) pages.log.splice(0, pages.log.length - PAGE_LOG_LIMIT);
  };

  const schema = createSchema({
    typeDefs: testGatewaySdl,
    resolvers: createResolvers(store, mutations, {
      maxPageSize: options.maxPageSize ?? HOT_CHOCOLATE_MAX_PAGE_SIZE,
      defaultPageSize: options.defaultPageSize ?? HOT_CHOCOLATE_DEFAULT_PAGE_SIZE,
      onPageRequest,
    }),
  });
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    logging: false,
    maskedErrors: false,
  });

  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 1000, timeoutDuration: 2000 });
  const verifiedTokens = new VerifiedTokenCache();

  async function authenticated(header: string | undefined): Promise<boolean> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token || revokedTokens.has(token)) return false;
    if (verifiedTokens.has(token)) return true;
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        ...(options.audience ? { audience: options.audience } : {}),
      });
      seenTokens.add(token);
      verifiedTokens.add(token, payload.exp);
      return true;
    } catch {
      return false;
    }
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path === '/healthz') {
      res.writeHead(state.down ? 503 : 200, { 'content-type': 'text/plain' }).end(state.down ? 'down' : 'ok');
      return;
    }
    if (path !== '/graphql') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    state.requests += 1;
    if (state.down) {
      req.socket.destroy();
      return;
    }
    if (!(await authenticated(req.headers.authorization))) {
      state.unauthorized += 1;
      unauthorized(res);
      return;
    }
    const failure = failures.next();
    switch (failure) {
      case 'http503':
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      case 'http429':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('Too Many Requests');
        return;
      case 'http401':
        unauthorized(res);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'executionError':
      case 'notAuthorized':
      case 'validationError': {
        const { status, body } = hotChocolateError(failure, schema, await readBody(req));
        res.writeHead(status, { 'content-type': responseContentType(req.headers.accept) }).end(JSON.stringify(body));
        return;
      }
      case 'lostResponse': {
        const response = await execute(req, await readBody(req));
        await response.text();
        req.socket.destroy();
        return;
      }
      case 'slow': {
        // The body is read first, so the operation runs (and a mutation applies) even when the
        // caller gives up waiting: the "did it happen?" case idempotent callers must handle.
        const body = await readBody(req);
        await delay(slowMs);
        const response = await execute(req, body);
        const text = await response.text();
        if (!res.destroyed) res.writeHead(response.status, Object.fromEntries(response.headers)).end(text);
        return;
      }
      case undefined:
        break;
    }
    await yoga(req, res);
  }

  /** Runs an already-read request through yoga without the node response. */
  function execute(req: IncomingMessage, body: string): Promise<Response> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    return Promise.resolve(yoga.fetch('http://gateway/graphql', { method: req.method ?? 'POST', headers, body }));
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      else res.destroy();
    });
  });
  // Kestrel, which serves the real gateway, keeps an idle connection 130 s (KestrelServerLimits.KeepAliveTimeout);
  // Node's 5 s default made the stand-in close connections its clients were about to reuse.
  server.keepAliveTimeout = 130_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/graphql`,
    store,
    mutations,
    failNext: (n, mode) => failures.failNext(n, mode),
    setFailureRate: (rate, mode, seed) => failures.setFailureRate(rate, mode, seed),
    setDown: (down) => {
      state.down = down;
      if (down) for (const socket of sockets) socket.destroy();
    },
    requestCount: () => state.requests,
    unauthorizedCount: () => state.unauthorized,
    revokeTokensSeenSoFar: () => {
      for (const token of seenTokens) revokedTokens.add(token);
    },
    pageRequests: () => [...pages.log],
    largestPageRequested: () => pages.largest,
    resetPageRequests: () => {
      pages.log = [];
      pages.largest = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * Tokens whose signature, issuer and audience were verified, until their `exp` (as a real gateway
 * caches validated tokens): checking an RSA signature on every request would dominate the cost of
 * the stand-in. Revocation is checked before this cache; a token without `exp` is not cached.
 */
class VerifiedTokenCache {
  private static readonly MAX_ENTRIES = 1000;
  private readonly expiresAtMs = new Map<string, number>();

  has(token: string): boolean {
    const expiresAt = this.expiresAtMs.get(token);
    if (expiresAt === undefined) return false;
    if (Date.now() < expiresAt) return true;
    this.expiresAtMs.delete(token);
    return false;
  }

  add(token: string, exp: number | undefined): void {
    if (exp === undefined) return;
    if (this.expiresAtMs.size >= VerifiedTokenCache.MAX_ENTRIES) this.expiresAtMs.clear();
    this.expiresAtMs.set(token, exp * 1000);
  }
}

/** The media type HotChocolate answers with: the GraphQL-over-HTTP one when the client accepts it. */
function responseContentType(accept: string | undefined): string {
  return accept === undefined || /application\/graphql-response\+json|\*\/\*/.test(accept)
    ? 'application/graphql-response+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

type InjectedError = Extract<FailureMode, 'executionError' | 'notAuthorized' | 'validationError'>;

/**
 * The answer HotChocolate gives for an injected error, aimed at the request's first root field (as
 * if that field's resolver threw, or its @authorize refused): the field is null (or, when it is
 * non-null, all of `data`), and the error carries the field's location and path. A validation
 * error has neither `data` nor `path` and answers HTTP 400.
 */
function hotChocolateError(mode: InjectedError, schema: GraphQLSchema, body: string): { status: number; body: unknown } {
  const root = firstRootField(schema, body);
  const locations = root ? [root.location] : undefined;
  if (mode === 'validationError') {
    const field = root?.name ?? '__unknown';
    return {
      status: 400,
      body: {
        errors: [
          {
            message: `The field \`${field}\` does not exist on the type \`${root?.typeName ?? 'Query'}\`.`,
            ...(locations ? { locations } : {}),
            extensions: {
              type: root?.typeName ?? 'Query',
              field,
              responseName: root?.responseName ?? field,
              specifiedBy: 'https://spec.graphql.org/October2021/#sec-Field-Selections-on-Objects-Interfaces-and-Unions-Types',
            },
          },
        ],
      },
    };
  }
  const error =
    mode === 'executionError'
      ? { message: 'Unexpected Execution Error' }
      : { message: 'The current user is not authorized to access this resource.', extensions: { code: 'AUTH_NOT_AUTHORIZED' } };
  const path = root ? [root.responseName] : undefined;
  const data = root && !root.nonNull ? { [root.responseName]: null } : null;
  const { extensions, ...rest } = error as { message: string; extensions?: Record<string, unknown> };
  return {
    status: 200,
    body: {
      errors: [{ ...rest, ...(locations ? { locations } : {}), ...(path ? { path } : {}), ...(extensions ? { extensions } : {}) }],
      data,
    },
  };
}

interface RootField {
  name: string;
  responseName: string;
  typeName: string;
  nonNull: boolean;
  location: { line: number; column: number };
}

function firstRootField(schema: GraphQLSchema, body: string): RootField | undefined {
  try {
    const request = JSON.parse(body) as { query?: string; operationName?: string | null };
    const document = parse(String(request.query ?? ''));
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operations.find((o) => !request.operationName || o.name?.value === request.operationName) ?? operations[0];
    const field = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
    if (!operation || !field || field.kind !== Kind.FIELD) return undefined;
    const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
    const definition = rootType?.getFields()[field.name.value];
    const location = field.loc ? getLocation(field.loc.source, field.loc.start) : { line: 1, column: 1 };
    return {
      name: field.name.value,
      responseName: field.alias?.value ?? field.name.value,
      typeName: rootType?.name ?? 'Query',
      nonNull: definition ? isNonNullType(definition.type) : false,
      location: { line: location.line, column: location.column },
    };
  } catch {
    return undefined;
  }
}

function unauthorized(res: ServerResponse): void {
  res
    .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' })
    .end(JSON.stringify({ errors: [{ message: 'The current user is not authorized to access this resource.' }] }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
