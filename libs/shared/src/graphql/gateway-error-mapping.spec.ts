import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client';
import { OidcUnavailableError } from '../oidc/oidc.errors.js';
import { GatewayBusinessError, GatewayUnavailableError } from './gateway.errors.js';
import { payloadError, toGatewayError } from './gateway-error-mapping.js';

const serverError = (status: number) => new ServerError('status', { response: new Response('x', { status }), bodyText: 'x' });

describe('toGatewayError', () => {
  it.each([500, 502, 503, 504, 429, 408])('HTTP %i is transient', (status) => {
    expect(toGatewayError('Op', serverError(status))).toMatchObject({ name: 'GatewayUnavailableError', reason: 'http-status', status });
  });

  it('HTTP 401/403 after the retry is transient (unauthorized); other 4xx are permanent', () => {
    expect(toGatewayError('Op', serverError(403))).toMatchObject({ reason: 'unauthorized' });
    expect(toGatewayError('Op', serverError(400))).toBeInstanceOf(GatewayBusinessError);
  });

  it('GraphQL errors are permanent and carry extensions.code', () => {
    const error = new CombinedGraphQLErrors({ errors: [{ message: 'nope', extensions: { code: 'AUTH_NOT_AUTHORIZED' } }] });
    expect(toGatewayError('Op', error)).toMatchObject({ name: 'GatewayBusinessError', errorType: 'AUTH_NOT_AUTHORIZED', transient: false });
  });

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
