// A Keycloak-shaped OIDC server for tests, the demo and local runs: oauth2-mock-server behind a
// small node:http front that serves it under /realms/<realm>, with Keycloak's endpoint paths.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { OAuth2Issuer, OAuth2Service, type MutableResponse, type MutableToken } from 'oauth2-mock-server';

/** The confidential client the stand-ins accept unless told otherwise. */
export const DEFAULT_OIDC_CLIENT = { clientId: 'webhooks', clientSecret: 'webhooks-secret' } as const;

export interface OidcServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  realm?: string;
  /** Accepted client ids and their secrets; anything else gets 401 invalid_client. */
  clients?: Record<string, string>;
  /** `aud` claim of issued tokens. */
  audience?: string;
  /** Realm roles put in `realm_access.roles`. */
  roles?: string[];
  /** The URL clients use to reach this server when it differs from host:port (docker compose: http://oidc:8180). */
  publicUrl?: string;
  /** Token lifetime (`expires_in` and `exp`). Default 300 s. */
  tokenLifetimeSeconds?: number;
}

export interface OidcServer {
  /** What `Oidc__ServerUrl` should be set to (no realm, no trailing slash). */
  serverUrl: string;
  realm: string;
  /** `<serverUrl>/realms/<realm>`: the `iss` of every token. */
  issuer: string;
  jwksUrl: string;
  tokenUrl: string;
  /** Tokens issued so far (successful token responses). */
  tokenCount(): number;
  /** Token requests refused for bad client credentials. */
  rejectedCount(): number;
  /** While down, every connection is reset (discovery, token and JWKS requests all fail). */
  setDown(down: boolean): void;
  /** The next `n` tokens are issued already expired, while `expires_in` still advertises the normal lifetime. */
  expireNextTokens(n: number): void;
  stop(): Promise<void>;
}

const KEYCLOAK_PATHS = {
  wellKnownDocument: '/.well-known/openid-configuration',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  authorize: '/protocol/openid-connect/auth',
  userinfo: '/protocol/openid-connect/userinfo',
  revoke: '/protocol/openid-connect/revoke',
  endSession: '/protocol/openid-connect/logout',
  introspect: '/protocol/openid-connect/token/introspect',
};

export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  const host = options.host ?? '127.0.0.1';
  const realm = options.realm ?? 'nudges';
  const clients = options.clients ?? { [DEFAULT_OIDC_CLIENT.clientId]: DEFAULT_OIDC_CLIENT.clientSecret };
  const lifetime = options.tokenLifetimeSeconds ?? 300;
  const prefix = `/realms/${realm}`;

  const issuer = new OAuth2Issuer();
  await issuer.keys.generate('RS256');
  const service = new OAuth2Service(issuer, KEYCLOAK_PATHS);
  const state = { down: false, issued: 0, rejected: 0, expireNext: 0 };
  const serviceAccounts = new Map<string, string>();
  const knownClient = (req: IncomingMessage & { body?: Record<string, unknown> }): boolean => {
    const { clientId, clientSecret } = credentialsOf(req);
    return clientId !== undefined && Object.hasOwn(clients, clientId) && clients[clientId] === clientSecret;
  };

  service.on('beforeTokenSigning', (token: MutableToken, req: IncomingMessage & { body?: Record<string, unknown> }) => {
    const clientId = credentialsOf(req).clientId ?? 'unknown';
    if (!serviceAccounts.has(clientId)) serviceAccounts.set(clientId, randomUUID());
    Object.assign(token.payload, {
      exp: token.payload.iat + lifetime,
      aud: options.audience ?? 'nudges-gateway',
      sub: serviceAccounts.get(clientId),
      azp: clientId,
      typ: 'Bearer',
      jti: randomUUID(),
      preferred_username: `service-account-${clientId}`,
      realm_access: { roles: options.roles ?? ['admin', 'service'] },
    });
    if (state.expireNext > 0 && knownClient(req)) {
      state.expireNext -= 1;
      token.payload.exp = token.payload.iat - 60;
    }
  });

  service.on('beforeResponse', (response: MutableResponse, req: IncomingMessage & { body?: Record<string, unknown> }) => {
    if (!knownClient(req)) {
      state.rejected += 1;
      response.statusCode = 401;
      response.body = { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' };
      return;
    }
    if (response.statusCode === 200 && typeof response.body === 'object') {
      response.body['expires_in'] = lifetime;
      state.issued += 1;
    }
  });

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => route(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function route(req: IncomingMessage, res: ServerResponse): void {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const url = req.url ?? '/';
    if (url !== prefix && !url.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Realm does not exist"}');
      return;
    }
    req.url = url.slice(prefix.length) || '/';
    service.requestHandler(req, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const serverUrl = options.publicUrl?.replace(/\/+$/, '') ?? `http://${host}:${port}`;
  issuer.url = `${serverUrl}${prefix}`;

  return {
    serverUrl,
    realm,
    issuer: issuer.url,
    jwksUrl: `${issuer.url}${KEYCLOAK_PATHS.jwks}`,
    tokenUrl: `${issuer.url}${KEYCLOAK_PATHS.token}`,
    tokenCount: () => state.issued,
    rejectedCount: () => state.rejected,
    setDown: (down) => {
      state.down = down;
      if (down) for (const socket of sockets) socket.destroy();
    },
    expireNextTokens: (n) => {
      state.expireNext = n;
    },
    stop: () => closeServer(server, sockets),
  };
}

/** Client credentials from HTTP Basic (client_secret_basic) or the form body (client_secret_post). */
function credentialsOf(req: IncomingMessage & { body?: Record<string, unknown> }): { clientId?: string; clientSecret?: string } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  const body = req.body ?? {};
  return {
    clientId: typeof body['client_id'] === 'string' ? body['client_id'] : undefined,
    clientSecret: typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined,
  };
}

export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
