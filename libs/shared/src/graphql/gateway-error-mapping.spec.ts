import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client';
import { OidcUnavailableError } from '../oidc/oidc.errors.js';
import { GatewayBusinessError, GatewayUnavailableError } from './gateway.errors.js';
import { toGatewayError } from './gateway-error-mapping.js';
import { classifyGraphQLErrors, fromGraphQLErrors, payloadError } from './graphql-errors.js';

const serverError = (status: number) => new ServerError('status', { response: new Response('x', { status }), bodyText: 'x' });

describe('toGatewayError', () => {
  it.each([500, 502, 503, 504, 429, 408])('HTTP %i is transient', (status) => {
    expect(toGatewayError('Op', serverError(status))).toMatchObject({ name: 'GatewayUnavailableError', reason: 'http-status', status });
  });

  it('HTTP 401/403 after the retry is transient (unauthorized); other 4xx are permanent', () => {
    expect(toGatewayError('Op', serverError(403))).toMatchObject({ reason: 'unauthorized' });
    expect(toGatewayError('Op', serverError(400))).toBeInstanceOf(GatewayBusinessError);
  });

  it('GraphQL request-shape errors are permanent and carry extensions.code', () => {
    const error = new CombinedGraphQLErrors({ errors: [{ message: 'nope', extensions: { code: 'AUTH_NOT_AUTHORIZED' } }] });
    expect(toGatewayError('Op', error)).toMatchObject({ name: 'GatewayBusinessError', errorType: 'AUTH_NOT_AUTHORIZED', transient: false });
  });

  it('a GraphQL execution error without a code is transient (execution-error), its text masked', () => {
    const error = new CombinedGraphQLErrors({
      data: { clientByPhoneNumber: null },
      errors: [{ message: 'Unexpected Execution Error', locations: [{ line: 2, column: 3 }], path: ['clientByPhoneNumber'] }],
    });
    const mapped = toGatewayError('ClientByPhoneNumber', error);
    expect(mapped).toBeInstanceOf(GatewayUnavailableError);
    expect(mapped).toMatchObject({ reason: 'execution-error', transient: true });
    expect(mapped.message).toBe('Gateway ClientByPhoneNumber unavailable (execution-error): Unexpected Execution Error');
    const withPhone = fromGraphQLErrors('Op', [{ message: 'timeout looking up +15555550123', path: ['x'] }]);
    expect(withPhone.message).not.toContain('5555550123');
  });
});

describe('classifyGraphQLErrors', () => {
  // The shapes HotChocolate 15 answers with (see peers/gateway for the stand-in that produces them).
  const hc0051 = {
    message: 'The maximum allowed items per page were exceeded.',
    path: ['subscriberByPhoneNumber', 'clients'],
    extensions: { code: 'HC0051', coordinate: 'Subscriber.clients', requestedItems: 100, maxAllowedItems: 50 },
  };
  const notAuthorized = {
    message: 'The current user is not authorized to access this resource.',
    locations: [{ line: 2, column: 3 }],
    path: ['clientByCustomerId'],
    extensions: { code: 'AUTH_NOT_AUTHORIZED' },
  };
  const validation = {
    message: 'The field `phoneNumber` does not exist on the type `Subscriber`.',
    locations: [{ line: 9, column: 11 }],
    extensions: {
      type: 'Subscriber',
      field: 'phoneNumber',
      responseName: 'phoneNumber',
      specifiedBy: 'https://spec.graphql.org/October2021/#sec-Field-Selections-on-Objects-Interfaces-and-Unions-Types',
    },
  };
  const unexpected = { message: 'Unexpected Execution Error', locations: [{ line: 2, column: 3 }], path: ['planByForeignId'] };

  it.each([
    ['HC0051 (page above the maximum)', [hc0051], 'HC0051'],
    ['AUTH_NOT_AUTHORIZED', [notAuthorized], 'AUTH_NOT_AUTHORIZED'],
    ['a validation error (specifiedBy, no code)', [validation], 'GraphQLValidation'],
    [
      'a validation error from a server that names no spec rule (locations, no path, no code)',
      [{ message: 'Cannot query field "x"', locations: [{ line: 1, column: 3 }] }],
      'GraphQLValidation',
    ],
    ['a permanent code next to an execution error', [unexpected, hc0051], 'HC0051'],
    ['a required variable missing (HC0018)', [{ message: 'Variable `id` is required.', extensions: { code: 'HC0018' } }], 'HC0018'],
  ])('%s is permanent', (_what, errors, errorType) => {
    expect(classifyGraphQLErrors(errors)).toEqual({ permanent: true, errorType });
    expect(fromGraphQLErrors('Op', errors)).toMatchObject({ name: 'GatewayBusinessError', errorType, transient: false });
  });

  it.each([
    ['"Unexpected Execution Error" on a field', [unexpected], undefined],
    ['an unexpected error in the request pipeline (no path, no locations)', [{ message: 'Unexpected Execution Error' }], undefined],
    [
      "HotChocolate's request timeout HC0045",
      [{ message: 'The request exceeded the configured timeout of `00:00:30`.', extensions: { code: 'HC0045' } }],
      'HC0045',
    ],
    ['a code nobody listed', [{ message: 'db down', path: ['a'], extensions: { code: 'DB_UNAVAILABLE' } }], 'DB_UNAVAILABLE'],
  ])('%s is transient', (_what, errors, code) => {
    expect(classifyGraphQLErrors(errors)).toEqual({ permanent: false, code });
    expect(fromGraphQLErrors('Op', errors)).toMatchObject({ name: 'GatewayUnavailableError', reason: 'execution-error', transient: true });
  });
});

describe('toGatewayError: transport failures, payload errors', () => {
  it('unparsable answers, timeouts, network and OIDC failures are transient', () => {
    const parse = new ServerParseError(new Error('bad json'), { response: new Response('<html>', { status: 200 }), bodyText: '<html>' });
    expect(toGatewayError('Op', parse)).toMatchObject({ reason: 'bad-response' });
    expect(toGatewayError('Op', new DOMException('t', 'TimeoutError'))).toMatchObject({ reason: 'timeout' });
    expect(toGatewayError('Op', new TypeError('fetch failed'))).toMatchObject({ reason: 'network' });
    const oidc = toGatewayError('Op', new OidcUnavailableError('rejected', 'http://issuer', 'HTTP 401 invalid_client'));
    expect(oidc).toBeInstanceOf(GatewayUnavailableError);
    expect(oidc).toMatchObject({ reason: 'oidc', transient: true });
  });

  it('payload errors name the first error type and flag not-found ones', () => {
    const error = payloadError('PatchPlan', [{ __typename: 'PlanNotFoundError', message: 'Plan with ID 4 not found' }]);
    expect(error).toMatchObject({ errorType: 'PlanNotFoundError', notFound: true });
    expect(error.message).toBe('Gateway PatchPlan refused (PlanNotFoundError): Plan with ID 4 not found');
  });
});
