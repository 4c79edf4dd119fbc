// Apollo links between the client and the gateway: a bearer token on every request, and one
// retry with a fresh token when the gateway answers 401.
import { ApolloLink, ServerError } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { defer, mergeMap } from 'rxjs';
import type { AccessTokenSource } from '../oidc/oidc-token-provider.js';

interface AuthContext {
  headers?: Record<string, string>;
  /** The token this attempt was sent with, so only that one is invalidated on 401. */
  accessToken?: string;
  /** Set once the operation has been retried after a 401. */
  authRetried?: boolean;
}

/** Adds `Authorization: Bearer <token>`; the token is fetched per attempt (cached by the source). */
export function bearerTokenLink(tokens: AccessTokenSource): ApolloLink {
  return new ApolloLink((operation, forward) =>
    defer(() => tokens.getToken()).pipe(
      mergeMap((token) => {
        operation.setContext((previous: AuthContext) => ({
          headers: { ...previous.headers, authorization: `Bearer ${token}` },
          accessToken: token,
        }));
        return forward(operation);
      }),
    ),
  );
}

/** On HTTP 401: invalidate the token the request carried and retry the operation once. */
export function retryOnceOnUnauthorizedLink(tokens: AccessTokenSource): ApolloLink {
  return new ErrorLink(({ error, operation, forward }) => {
    const context = operation.getContext() as AuthContext;
    if (!ServerError.is(error) || error.statusCode !== 401 || context.authRetried) return;
    tokens.invalidate(context.accessToken);
    operation.setContext({ authRetried: true });
    return forward(operation);
  });
}

/** `fetch` with a per-request timeout (an AbortSignal that fires after `timeoutMs`). */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
