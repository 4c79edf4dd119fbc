// Turns whatever Apollo threw into the two errors webhook handlers act on: GatewayUnavailableError
// (transient: answer 500, get retried) or GatewayBusinessError (permanent). The classification
// itself is Apollo-free (graphql-errors.ts), so the broadcaster's page-reading thread can use it
// without loading Apollo. Token values never reach a message.
import { CombinedGraphQLErrors, CombinedProtocolErrors, ServerError, ServerParseError } from '@apollo/client';
import { GatewayUnavailableError, type GatewayError } from './gateway.errors.js';
import { fromGraphQLErrors, fromHttpStatus, fromRequestFailure } from './graphql-errors.js';

/** Any failure of a gateway call made through Apollo, as GatewayUnavailableError or GatewayBusinessError. */
export function toGatewayError(operation: string, error: unknown): GatewayError {
  if (ServerError.is(error)) return fromHttpStatus(operation, error.statusCode, error);
  if (ServerParseError.is(error)) {
    return new GatewayUnavailableError(operation, 'bad-response', `unparsable answer (HTTP ${error.statusCode})`, error.statusCode, {
      cause: error,
    });
  }
  if (CombinedGraphQLErrors.is(error)) return fromGraphQLErrors(operation, error.errors, { cause: error });
  if (CombinedProtocolErrors.is(error)) {
    return new GatewayUnavailableError(operation, 'bad-response', 'protocol error', undefined, { cause: error });
  }
  return fromRequestFailure(operation, error);
}
