export * from './attributes.js';
export * from './spans.js';
export * from './kafka-tracing.js';
export * from './tracing-sdk.js';
export * from './tracing.module.js';
export * from './http-tracing.js';
