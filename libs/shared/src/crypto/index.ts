export * from './mask.js';
export * from './phone-cipher.js';
