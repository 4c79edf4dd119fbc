import { maskPhoneNumbers } from './safe-text.js';

/** Why the gateway could not be used; every reason is transient. */
export type GatewayUnavailableReason =
  | 'network' // connection refused/reset, DNS
  | 'timeout' // no answer within GRAPHQL_TIMEOUT_MS
  | 'http-status' // 5xx, 429, 408
  | 'unauthorized' // 401/403 even after one token refresh
  | 'oidc' // no access token could be obtained
  | 'bad-response' // an answer that is not a GraphQL response
  | 'execution-error'; // GraphQL `errors` from execution without a code known to be permanent ("Unexpected Execution Error", HC0045 timeout, ...)

/**
 * The gateway could not answer (network, timeout, HTTP 5xx/429, token problems), or answered with
 * an execution error that may not recur (`'execution-error'`: a resolver failed, e.g. a database
 * timeout behind HotChocolate's "Unexpected Execution Error"). Transient: fail the unit of work so
 * it is retried (a webhook answers 500 and the sender delivers again).
 */
export class GatewayUnavailableError extends Error {
  readonly transient = true as const;

  constructor(
    readonly operation: string,
    readonly reason: GatewayUnavailableReason,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`Gateway ${operation} unavailable (${reason}): ${detail}`, options);
    this.name = 'GatewayUnavailableError';
  }
}

/**
 * The gateway answered and refused in a way that a retry of the same request would repeat: a
 * request-shape error (GraphQL validation, a page above the maximum `HC0051`, `AUTH_NOT_AUTHORIZED`,
 * other codes listed in gateway-error-mapping.ts; `errorType` is the code, or `GraphQLValidation`),
 * or an error member of a mutation payload (`errorType` is its GraphQL type name, e.g.
 * `PlanNotFoundError`). Permanent. The message is safe to log (phone numbers masked, truncated).
 */
export class GatewayBusinessError extends Error {
  readonly transient = false as const;
  readonly notFound: boolean;

  constructor(
    readonly operation: string,
    readonly errorType: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Gateway ${operation} refused (${errorType}): ${safeDetail(detail)}`, options);
    this.name = 'GatewayBusinessError';
    this.notFound = /NotFound/i.test(errorType);
  }
}

export type GatewayError = GatewayUnavailableError | GatewayBusinessError;

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayUnavailableError || error instanceof GatewayBusinessError;
}

function safeDetail(detail: string): string {
  const masked = maskPhoneNumbers(detail).replace(/Bearer\s+[\w.~+/=-]+/gi, 'Bearer ***');
  return masked.length > 300 ? `${masked.slice(0, 297)}...` : masked;
}
