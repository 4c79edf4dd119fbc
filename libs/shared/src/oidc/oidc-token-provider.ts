import * as client from 'openid-client';
import { OidcUnavailableError, type OidcFailureReason } from './oidc.errors.js';

/** Where and as whom to ask for client-credentials tokens (Keycloak layout). */
export interface OidcClientOptions {
  /** `Oidc__ServerUrl`, e.g. `https://keycloak.example.com`; the issuer is `<serverUrl>/realms/<realm>`. */
  serverUrl: string;
  /** `Oidc__Realm`. */
  realm: string;
  /** `Oidc__ClientId`. */
  clientId: string;
  /** `Oidc__ClientSecret`. Sent to the token endpoint only; never logged or put in an error. */
  clientSecret: string;
  /** Optional `scope` parameter of the token request. */
  scope?: string;
  /** Timeout of each HTTP request to the issuer (discovery, token). Default 5000 ms. */
  timeoutMs?: number;
  /** A token is renewed this long before it expires, at most; never more than 10 % of its lifetime. Default 30 s. */
  refreshMarginMs?: number;
}

/** What the GraphQL link needs from a token provider. */
export interface AccessTokenSource {
  /** A valid access token: the cached one, or a new one fetched once for all concurrent callers. */
  getToken(): Promise<string>;
  /**
   * Forget the cached token (after the resource server rejected it). With `rejected`, only that
   * token is forgotten, so a burst of 401s for one stale token triggers a single refresh.
   */
  invalidate(rejected?: string): void;
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_REFRESH_MARGIN_MS = 30_000;
/** Assumed lifetime when the token response says nothing about expiry. */
const FALLBACK_LIFETIME_MS = 60_000;

export function issuerUrlOf(serverUrl: string, realm: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
}

/**
 * OAuth 2.0 client-credentials tokens from a Keycloak-style issuer, discovered through
 * `<issuer>/.well-known/openid-configuration` (plain http is allowed for local stacks).
 */
export class OidcTokenProvider implements AccessTokenSource {
  readonly issuer: string;
  private config?: client.Configuration;
  private cached?: CachedToken;
  private inflight?: Promise<string>;
  private fetches = 0;

  constructor(
    private readonly options: OidcClientOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.issuer = issuerUrlOf(options.serverUrl, options.realm);
  }

  /** How many token requests this provider has completed successfully (for diagnostics and tests). */
  get tokensFetched(): number {
    return this.fetches;
  }

  getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.token);
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(rejected?: string): void {
    if (rejected === undefined || this.cached?.token === rejected) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const config = await this.discover();
    const parameters: Record<string, string> = this.options.scope ? { scope: this.options.scope } : {};
    let response: client.TokenEndpointResponse;
    try {
      response = await client.clientCredentialsGrant(config, parameters);
    } catch (error) {
      throw this.unavailable('token request', error);
    }
    if (typeof response.access_token !== 'string' || response.access_token === '') {
      throw new OidcUnavailableError('invalid-response', this.issuer, 'token response without access_token');
    }
    this.cached = this.cache(response.access_token, this.lifetimeMs(response));
    this.fetches += 1;
    return response.access_token;
  }

  private cache(token: string, lifetimeMs: number): CachedToken {
    const margin = Math.min(this.options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS, lifetimeMs * 0.1);
    return { token, refreshAt: this.now() + lifetimeMs - margin };
  }

  private lifetimeMs(response: client.TokenEndpointResponse): number {
    if (typeof response.expires_in === 'number' && response.expires_in > 0) return response.expires_in * 1000;
    const exp = jwtExpiry(response.access_token);
    return exp !== undefined ? Math.max(0, exp * 1000 - this.now()) : FALLBACK_LIFETIME_MS;
  }

  private async discover(): Promise<client.Configuration> {
    if (this.config) return this.config;
    const timeout = Math.max(1, Math.ceil((this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000));
    const insecure = new URL(this.issuer).protocol === 'http:';
    try {
      this.config = await client.discovery(
        new URL(this.issuer),
        this.options.clientId,
        undefined,
        client.ClientSecretPost(this.options.clientSecret),
        { timeout, execute: insecure ? [client.allowInsecureRequests] : [] },
      );
    } catch (error) {
      throw this.unavailable('discovery', error);
    }
    return this.config;
  }

  private unavailable(step: string, error: unknown): OidcUnavailableError {
    const { reason, detail } = describeFailure(error);
    return new OidcUnavailableError(reason, this.issuer, `${step}: ${detail}`, { cause: error });
  }
}

function describeFailure(error: unknown): { reason: OidcFailureReason; detail: string } {
  if (error instanceof client.ResponseBodyError) {
    const reason = error.status >= 500 || error.status === 429 ? 'unreachable' : 'rejected';
    return { reason, detail: `HTTP ${error.status} ${error.error}` };
  }
  // openid-client wraps transport failures (fetch's TypeError, timeouts) and unexpected HTTP
  // responses (the Response is the cause); walk the cause chain. Names, not instanceof: fetch's
  // errors may come from another realm (e.g. under a test runner).
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, status, headers } = e as { name?: unknown; status?: unknown; headers?: unknown };
    if (typeof status === 'number' && typeof headers === 'object') {
      return { reason: status >= 500 || status === 429 ? 'unreachable' : 'invalid-response', detail: `HTTP ${status}` };
    }
    if (name === 'TimeoutError' || name === 'AbortError') return { reason: 'unreachable', detail: 'timed out' };
    if (name === 'TypeError' || name === 'SocketError') return { reason: 'unreachable', detail: 'network error' };
  }
  const code = (error as { code?: unknown } | null)?.code;
  return { reason: 'invalid-response', detail: typeof code === 'string' ? code : 'unexpected response' };
}

function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}
