export * from './metrics.controller.js';
export * from './metrics.module.js';
export * from './metrics.registry.js';
