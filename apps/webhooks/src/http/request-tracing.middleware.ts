import type { NextFunction, Request, Response } from 'express';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_WEBHOOK_ENDPOINT,
} from '@app/shared/tracing/attributes.js';
import { SpanKind, contextFromHeaders, markFailedAs, startSpan, withSpan } from '@app/shared/tracing/spans.js';

/** The webhook endpoints that get a server span (`/api/<endpoint>`). */
export const TRACED_ENDPOINTS = ['StripeWebhookHandler', 'TwilioWebhookHandler', 'TwilioStatusCallback'] as const;

/**
 * Express middleware: one server span per webhook request, active while Nest handles it (guards,
 * body, handler), ended when the answer is written. The handlers add what they learn (Stripe
 * event type, SMS command). The query string is never recorded: it carries the API key.
 */
export function traceWebhookRequest(endpoint: (typeof TRACED_ENDPOINTS)[number]) {
  const route = `/api/${endpoint}`;
  return (req: Request, res: Response, next: NextFunction): void => {
    const span = startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      parent: contextFromHeaders(req.headers),
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: req.method,
        [ATTR_HTTP_ROUTE]: route,
        [ATTR_URL_PATH]: route,
        [ATTR_URL_SCHEME]: req.protocol,
        [ATTR_WEBHOOK_ENDPOINT]: endpoint,
      },
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) markFailedAs(span, String(res.statusCode));
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    withSpan(span, next);
  };
}
