import { z } from 'zod';
import { httpUrl, positiveInt, requiredString } from './env.js';

/** The Nudges GraphQL gateway and the OIDC client-credentials login in front of it. */
export const gatewayEnv = {
  GRAPHQL_API_URL: httpUrl().meta({ description: 'Nudges GraphQL gateway endpoint, e.g. http://graphql-gateway:5443/graphql' }),
  GRAPHQL_TIMEOUT_MS: positiveInt(5000).meta({ description: 'timeout of one gateway request (and of each OIDC request), in milliseconds' }),
  GRAPHQL_PAGE_SIZE: positiveInt(500).meta({
    description: 'subscribers fetched per gateway request in the announcement fan-out (must not exceed the gateway\'s max page size)',
  }),
  Oidc__ServerUrl: httpUrl().meta({ description: 'OIDC (Keycloak) base URL; the issuer is <Oidc__ServerUrl>/realms/<Oidc__Realm>' }),
  Oidc__Realm: requiredString().meta({ description: 'OIDC realm, e.g. nudges' }),
  Oidc__ClientId: requiredString().meta({ description: 'OIDC client id used for the client-credentials grant' }),
  Oidc__ClientSecret: requiredString().meta({ description: 'OIDC client secret', sensitive: true }),
};

export interface OidcClientConfig {
  serverUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

export interface GatewayConfig {
  url: string;
  timeoutMs: number;
  pageSize: number;
  oidc: OidcClientConfig;
}

export function gatewayConfigFrom(e: z.output<z.ZodObject<typeof gatewayEnv>>): GatewayConfig {
  return {
    url: e.GRAPHQL_API_URL,
    timeoutMs: e.GRAPHQL_TIMEOUT_MS,
    pageSize: e.GRAPHQL_PAGE_SIZE,
    oidc: {
      serverUrl: e.Oidc__ServerUrl.replace(/\/+$/, ''),
      realm: e.Oidc__Realm,
      clientId: e.Oidc__ClientId,
      clientSecret: e.Oidc__ClientSecret,
      timeoutMs: e.GRAPHQL_TIMEOUT_MS,
    },
  };
}
