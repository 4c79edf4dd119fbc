export * from './bootstrap/index.js';
export * from './config/index.js';
export * from './logging/index.js';
export * from './kafka/index.js';
export * from './redis/index.js';
export * from './health/index.js';
export * from './codec/index.js';
export * from './crypto/index.js';
