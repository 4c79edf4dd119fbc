// An OpenTelemetry SDK registered globally with an in-memory exporter, as startTracing registers
// the OTLP one (AsyncLocalStorage context, W3C propagator), so tests can read every ended span.
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface MemoryTracing {
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function installMemoryTracing(): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return { spans: () => exporter.getFinishedSpans(), shutdown: () => provider.shutdown() };
}

export const parentIdOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/** The spans of one trace as an indented tree (`name [KIND]`), children in start order. */
export function spanTree(spans: readonly ReadableSpan[], traceId: string): string {
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
  const ids = new Set(inTrace.map((s) => s.spanContext().spanId));
  const started = (a: ReadableSpan, b: ReadableSpan) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];
  const childrenOf = (id: string | undefined) =>
    inTrace.filter((s) => (id === undefined ? !ids.has(parentIdOf(s) ?? '') : parentIdOf(s) === id)).sort(started);
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${span.name} [${SpanKind[span.kind]}]`);
    for (const child of childrenOf(span.spanContext().spanId)) walk(child, depth + 1);
  };
  for (const root of childrenOf(undefined)) walk(root, 0);
  return lines.join('\n');
}
