export * from './redis.module.js';
export * from './redis-lease.js';
