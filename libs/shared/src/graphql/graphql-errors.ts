// How a gateway failure will fare on retry, without Apollo: GraphQL `errors`, HTTP statuses and
// request failures (OIDC, timeout, network) sorted into GatewayUnavailableError (transient) or
// GatewayBusinessError (permanent).
//
// GraphQL `errors` (HTTP 200, or 400 for a request error) are sorted by what a retry would do:
// request-shape errors repeat (validation, paging limits, authorization: permanent); an execution
// error without a code known to be permanent may not (HotChocolate's "Unexpected Execution Error"
// hides a database timeout as well as a bug: transient, so the sender retries).
import { OidcUnavailableError } from '../oidc/oidc.errors.js';
import { GatewayBusinessError, GatewayUnavailableError, isGatewayError, type GatewayError } from './gateway.errors.js';
import { maskPhoneNumbers } from './safe-text.js';

/** A mutation payload's `errors` entry, as selected by the operations (`__typename` + `... on Error`). */
export interface PayloadError {
  __typename: string;
  message?: string;
}

/** A failure before any answer: the token provider's, a timeout or abort, or the network (fetch's TypeError). */
export function fromRequestFailure(operation: string, error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  if (error instanceof OidcUnavailableError) {
    return new GatewayUnavailableError(operation, 'oidc', `no access token (${error.reason})`, undefined, { cause: error });
  }
  if (isNamed(error, 'TimeoutError') || isNamed(error, 'AbortError')) {
    return new GatewayUnavailableError(operation, 'timeout', 'no answer in time', undefined, { cause: error });
  }
  // fetch failures are TypeErrors ("fetch failed") with the socket error as cause.
  return new GatewayUnavailableError(
    operation,
    'network',
    isNamed(error, 'TypeError') ? 'connection failed' : 'unexpected failure',
    undefined,
    {
      cause: error,
    },
  );
}

/** One entry of a GraphQL response's `errors`, as far as the classification reads it. */
export interface GraphQLErrorEntry {
  message?: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<unknown>;
  extensions?: Record<string, unknown> | null;
}

/**
 * `extensions.code` values after which the same request fails the same way. HotChocolate's codes
 * (HotChocolate.ErrorCodes): authorization; paging limits and cursors; request, syntax, variable
 * and input-value errors; cost and node-count limits. HC0045 (timeout) and HC0049 (canceled) are
 * deliberately absent, as is every code not listed: those are retried.
 */
export const PERMANENT_GRAPHQL_CODES: ReadonlySet<string> = new Set([
  'AUTH_NOT_AUTHORIZED',
  'AUTH_NOT_AUTHENTICATED',
  'AUTH_NO_DEFAULT_POLICY',
  'AUTH_POLICY_NOT_FOUND',
  'HC0051', // the maximum allowed items per page were exceeded
  'HC0052', // no paging boundaries
  'HC0078', // invalid cursor
  'HC0079', // negative page size
  'HC0082', // one slicing argument required
  'HC0047', // operation cost exceeded
  'HC0076', // too many nodes at once
  'HC0001', // scalar: runtime type not supported
  'HC0002', // scalar: invalid literal or format
  'HC0009', // request invalid
  'HC0010', // request too large
  'HC0011', // syntax error (server)
  'HC0012', // request parser error
  'HC0013', // query and id missing
  'HC0014', // syntax error (execution)
  'HC0015', // query not found
  'HC0016', // variable of an invalid type
  'HC0017', // variable must be an input type
  'HC0018', // required variable missing or null
  'HC0020', // persisted operation not found
  'HC0054', // oneOf input errors
  'HC0055',
  'HC0056',
  'HC0057',
  'HC0063', // no supported accept media type
  'HC0064', // invalid accept header
]);

/** How retrying would fare after these GraphQL errors. */
export type GraphQLErrorClass = { permanent: true; errorType: string } | { permanent: false; code: string | undefined };

/**
 * Permanent when any error is a request-shape error: a code in PERMANENT_GRAPHQL_CODES, or a
 * document validation error (no code; HotChocolate names the violated spec rule in
 * `extensions.specifiedBy`; any server points at the document with `locations` but, as nothing
 * was executed, gives no `path`). Otherwise an execution error without a known code (a field's
 * "Unexpected Execution Error" has a `path`; one from the request pipeline has no `locations`):
 * transient.
 */
export function classifyGraphQLErrors(errors: readonly GraphQLErrorEntry[]): GraphQLErrorClass {
  for (const e of errors) {
    const code = e.extensions?.['code'];
    if (typeof code === 'string' && PERMANENT_GRAPHQL_CODES.has(code)) return { permanent: true, errorType: code };
  }
  if (errors.some(isValidationError)) return { permanent: true, errorType: 'GraphQLValidation' };
  const code = errors.map((e) => e.extensions?.['code']).find((c): c is string => typeof c === 'string');
  return { permanent: false, code };
}

function isValidationError(e: GraphQLErrorEntry): boolean {
  if (typeof e.extensions?.['specifiedBy'] === 'string') return true;
  const coded = typeof e.extensions?.['code'] === 'string';
  return !coded && (e.path === undefined || e.path.length === 0) && (e.locations?.length ?? 0) > 0;
}

/** GraphQL `errors` → GatewayBusinessError (request-shape) or GatewayUnavailableError('execution-error'). */
export function fromGraphQLErrors(
  operation: string,
  errors: readonly GraphQLErrorEntry[],
  options?: { cause?: unknown; status?: number },
): GatewayError {
  const detail = errors.map((e) => e.message ?? '').join('; ') || 'errors without a message';
  const kind = classifyGraphQLErrors(errors);
  if (kind.permanent) return new GatewayBusinessError(operation, kind.errorType, detail, { cause: options?.cause });
  const what = kind.code ? `${kind.code}: ${detail}` : detail;
  return new GatewayUnavailableError(operation, 'execution-error', safeExecutionDetail(what), options?.status, { cause: options?.cause });
}

/** Mutation payload errors → GatewayBusinessError carrying the first error's type name. */
export function payloadError(operation: string, errors: readonly PayloadError[]): GatewayBusinessError {
  const first = errors[0] as PayloadError;
  return new GatewayBusinessError(operation, first.__typename, errors.map((e) => e.message ?? e.__typename).join('; '));
}

/** An HTTP status without a GraphQL answer: 401/403 after a fresh token, 5xx/429/408 transient, the rest permanent. */
export function fromHttpStatus(operation: string, status: number, cause: unknown): GatewayError {
  if (status === 401 || status === 403) {
    return new GatewayUnavailableError(operation, 'unauthorized', `HTTP ${status} with a fresh token`, status, { cause });
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new GatewayUnavailableError(operation, 'http-status', `HTTP ${status}`, status, { cause });
  }
  return new GatewayBusinessError(operation, `HTTP${status}`, `HTTP ${status}`, { cause });
}

/** Execution error texts are the gateway's words: masked and cut like a business error's. */
function safeExecutionDetail(detail: string): string {
  const masked = maskPhoneNumbers(detail).replace(/Bearer\s+[\w.~+/=-]+/gi, 'Bearer ***');
  return masked.length > 300 ? `${masked.slice(0, 297)}...` : masked;
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
