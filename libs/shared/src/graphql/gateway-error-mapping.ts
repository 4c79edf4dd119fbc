// Turns whatever Apollo, fetch or the token provider threw into the two errors webhook handlers
// act on: GatewayUnavailableError (transient: answer 500, get retried) or GatewayBusinessError
// (permanent). Token values never reach a message.
import { CombinedGraphQLErrors, CombinedProtocolErrors, ServerError, ServerParseError } from '@apollo/client';
import { OidcUnavailableError } from '../oidc/oidc.errors.js';
import { GatewayBusinessError, GatewayUnavailableError, isGatewayError, type GatewayError } from './gateway.errors.js';

/** A mutation payload's `errors` entry, as selected by the operations (`__typename` + `... on Error`). */
export interface PayloadError {
  __typename: string;
  message?: string;
}

export function toGatewayError(operation: string, error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  if (error instanceof OidcUnavailableError) {
    return new GatewayUnavailableError(operation, 'oidc', `no access token (${error.reason})`, undefined, { cause: error });
  }
  if (ServerError.is(error)) return fromHttpStatus(operation, error.statusCode, error);
  if (ServerParseError.is(error)) {
    return new GatewayUnavailableError(operation, 'bad-response', `unparsable answer (HTTP ${error.statusCode})`, error.statusCode, { cause: error });
  }
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const code = first?.extensions?.['code'];
    const detail = error.errors.map((e) => e.message).join('; ');
    return new GatewayBusinessError(operation, typeof code === 'string' ? code : 'GraphQLError', detail, { cause: error });
  }
  if (CombinedProtocolErrors.is(error)) {
    return new GatewayUnavailableError(operation, 'bad-response', 'protocol error', undefined, { cause: error });
  }
  if (isNamed(error, 'TimeoutError') || isNamed(error, 'AbortError')) {
    return new GatewayUnavailableError(operation, 'timeout', 'no answer in time', undefined, { cause: error });
  }
  // fetch failures are TypeErrors ("fetch failed") with the socket error as cause.
  return new GatewayUnavailableError(operation, 'network', isNamed(error, 'TypeError') ? 'connection failed' : 'unexpected failure', undefined, {
    cause: error,
  });
}

/** Mutation payload errors → GatewayBusinessError carrying the first error's type name. */
export function payloadError(operation: string, errors: readonly PayloadError[]): GatewayBusinessError {
  const first = errors[0] as PayloadError;
  return new GatewayBusinessError(operation, first.__typename, errors.map((e) => e.message ?? e.__typename).join('; '));
}

function fromHttpStatus(operation: string, status: number, cause: unknown): GatewayError {
  if (status === 401 || status === 403) {
    return new GatewayUnavailableError(operation, 'unauthorized', `HTTP ${status} with a fresh token`, status, { cause });
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new GatewayUnavailableError(operation, 'http-status', `HTTP ${status}`, status, { cause });
  }
  return new GatewayBusinessError(operation, `HTTP${status}`, `HTTP ${status}`, { cause });
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
