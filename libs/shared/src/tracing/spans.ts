import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from './attributes.js';

export { SpanKind };

/**
 * Spans of this project. Without a registered SDK (`Otlp__Endpoint` unset) the API hands out
 * non-recording spans and the calls below cost a few object allocations and nothing else.
 */
const tracer = trace.getTracer('nudges-messaging-edge');

export interface SpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** Parent context; default: the active one. */
  parent?: Context;
}

/**
 * Runs `work` inside a new active span, ends it when `work` settles, and marks it failed when
 * `work` throws. Only the error's type is recorded: messages may carry phone numbers or bodies.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (err) {
        markFailed(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Starts a span that the caller ends (for work that finishes in a callback, e.g. an HTTP response). */
export function startSpan(name: string, options: SpanOptions): Span {
  return tracer.startSpan(
    name,
    { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
    options.parent ?? context.active(),
  );
}

/** Runs `fn` with `span` as the active span. */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

export function markFailed(span: Span, err: unknown): void {
  markFailedAs(span, errorType(err));
}

/** Marks the span failed with `type` as `error.type` (an error class, or an HTTP status code). */
export function markFailedAs(span: Span, type: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** Adds attributes to the active span (e.g. the Stripe event type, known only after parsing). */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * The W3C `traceparent` (and `tracestate`, when there is one) of the active span, as strings;
 * empty when no sampled-or-not span is active (tracing off).
 */
export function traceHeaders(): Record<string, string> {
  const active = trace.getActiveSpan();
  if (!active || !isSpanContextValid(active.spanContext())) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Kafka headers arrive as Buffers (or arrays of them when repeated): the last value wins. */
const kafkaHeaderGetter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const raw = carrier[key];
    const one = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    return one === undefined ? undefined : typeof one === 'string' ? one : one.toString('utf8');
  },
};

/** The trace context a message's headers carry (traceparent/tracestate), or the root context. */
export function contextFromHeaders(headers: Record<string, HeaderValue>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
}

function errorType(err: unknown): string {
  if (err instanceof Error) return err.constructor.name === 'Error' ? err.name : err.constructor.name;
  return typeof err;
}
