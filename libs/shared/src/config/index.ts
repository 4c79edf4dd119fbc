export * from './env.js';
export * from './common.env.js';
