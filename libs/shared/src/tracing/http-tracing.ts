import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from './attributes.js';
import { SpanKind, inSpan, markFailedAs, traceHeaders } from './spans.js';

/**
 * One outgoing HTTP request in a client span. `send` receives the trace headers to add to the
 * request (W3C `traceparent`/`tracestate`) and resolves to the response. The URL is recorded
 * without its query string, which may carry keys.
 */
export function tracedHttpRequest<R extends { status: number }>(
  name: string,
  request: { method: string; url: URL; attributes?: Attributes },
  send: (headers: Record<string, string>) => Promise<R>,
): Promise<R> {
  const { url } = request;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: request.method,
    [ATTR_URL_FULL]: `${url.origin}${url.pathname}`,
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    ...request.attributes,
  };
  return inSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const response = await send(traceHeaders());
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
    if (response.status >= 400) markFailedAs(span, String(response.status));
    return response;
  });
}

/** A request to the Nudges GraphQL gateway, named after its operation. */
export function tracedGatewayRequest<R extends { status: number }>(
  url: URL,
  operationName: string,
  send: (headers: Record<string, string>) => Promise<R>,
): Promise<R> {
  return tracedHttpRequest(
    `GraphQL ${operationName}`,
    { method: 'POST', url, attributes: { [ATTR_GRAPHQL_OPERATION_NAME]: operationName } },
    send,
  );
}

/** The `operationName` of a GraphQL request body (Apollo writes it first), or `unknown`. */
export function graphqlOperationName(body: string): string {
  return /"operationName":"([A-Za-z_][A-Za-z0-9_]*)"/.exec(body.slice(0, 256))?.[1] ?? 'unknown';
}
