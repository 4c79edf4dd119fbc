import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/tracing.env.js';

/** The SDK this process started, if any; flushed when the app shuts down. */
export interface TracingSdk {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let started: TracingSdk | undefined;

/**
 * Starts the OpenTelemetry SDK when `Otlp__Endpoint` is set: batched OTLP export, W3C trace
 * context propagation and AsyncLocalStorage context. When it is unset nothing is loaded and the
 * API stays a no-op. Call it before the app's modules are imported, so no span is started before.
 */
export async function startTracing(config: TracingConfig): Promise<TracingSdk | undefined> {
  if (!config.endpoint || started) return started;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(await otlpExporter(config.endpoint, config.protocol))],
  });
  provider.register(); // AsyncLocalStorage context manager + W3C traceparent/tracestate propagator
  started = provider;
  return provider;
}

/** Exports what is still buffered (called on shutdown; a no-op when tracing is off). */
export async function flushTracing(): Promise<void> {
  await started?.forceFlush().catch(() => undefined);
}

async function otlpExporter(endpoint: string, protocol: TracingConfig['protocol']): Promise<SpanExporter> {
  if (protocol === 'grpc') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    return new OTLPTraceExporter({ url: endpoint });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
}
