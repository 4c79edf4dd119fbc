export * from './mask.js';
export * from './phone-cipher.js';
export * from './phone-cipher.module.js';
