import { z } from 'zod';
import { configNamespace } from './app-config.module.js';
import { oneOf, optionalHttpUrl, optionalString } from './env.js';

export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** OpenTelemetry export, named as the Nudges C# services are configured (`Otlp__Endpoint`). */
export const tracingEnv = {
  Otlp__Endpoint: optionalHttpUrl().meta({
    description:
      'OTLP collector endpoint, e.g. http://otel-collector:4317 (grpc) or http://otel-collector:4318 (http/protobuf); unset = tracing off (no SDK loaded)',
  }),
  Otlp__Protocol: oneOf(OTLP_PROTOCOLS, 'grpc').meta({
    description:
      'OTLP transport: grpc (as the .NET exporter defaults to) or http/protobuf (spans are posted to the endpoint plus /v1/traces)',
  }),
  Otlp__ServiceName: optionalString().meta({
    description: 'service.name of the exported spans (default: the app name, webhooks or notifier)',
  }),
};

export interface TracingConfig {
  /** Undefined: tracing is off. */
  endpoint?: string;
  protocol: OtlpProtocol;
  serviceName: string;
}

export function tracingConfigFrom(e: z.output<z.ZodObject<typeof tracingEnv>>, appName: string): TracingConfig {
  return {
    ...(e.Otlp__Endpoint === undefined ? {} : { endpoint: e.Otlp__Endpoint.replace(/\/+$/, '') }),
    protocol: e.Otlp__Protocol,
    serviceName: e.Otlp__ServiceName ?? appName,
  };
}

/** The section an app that starts further threads injects (main.ts reads it before Nest starts). */
export const tracingConfig = configNamespace<TracingConfig>('tracing');
