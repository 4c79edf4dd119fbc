export * from './env.js';
export * from './common.env.js';
export * from './encryption.env.js';
export * from './localization.env.js';
export * from './gateway.env.js';
export * from './reference.js';
export * from './tracing.env.js';
export * from './webhook-endpoints.env.js';
