export * from './oidc.errors.js';
export * from './oidc-token-provider.js';
