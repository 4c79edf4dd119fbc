import { z } from 'zod';
import { blankToUndefined, httpUrl, positiveInt, requiredString } from './env.js';
import { configNamespace } from './app-config.module.js';

/**
 * The largest page the Nudges gateway serves: HotChocolate's `UsePaging()` default MaxPageSize,
 * which the gateway keeps. Asking for more fails the field with HC0051.
 */
export const GRAPHQL_MAX_PAGE_SIZE = 50;

const PAGE_SIZE_RANGE = `must be a whole number from 1 to ${GRAPHQL_MAX_PAGE_SIZE} (the gateway's maximum page size)`;

/** `first` of every paged gateway request: 1 to GRAPHQL_MAX_PAGE_SIZE, one message for any other value. */
const pageSize = () =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: PAGE_SIZE_RANGE })
      .int(PAGE_SIZE_RANGE)
      .min(1, PAGE_SIZE_RANGE)
      .max(GRAPHQL_MAX_PAGE_SIZE, PAGE_SIZE_RANGE)
      .default(GRAPHQL_MAX_PAGE_SIZE),
  );

/** The Nudges GraphQL gateway and the OIDC client-credentials login in front of it. */
export const gatewayEnv = {
  GRAPHQL_API_URL: httpUrl().meta({ description: 'Nudges GraphQL gateway endpoint, e.g. http://graphql-gateway:5443/graphql' }),
  GRAPHQL_TIMEOUT_MS: positiveInt(5000).meta({ description: 'timeout of one gateway request (and of each OIDC request), in milliseconds' }),
  GRAPHQL_PAGE_SIZE: pageSize().meta({
    description: `items asked for per gateway request wherever the apps page (a subscriber's clients, the announcement fan-out); 1 to ${GRAPHQL_MAX_PAGE_SIZE}, the gateway's maximum page size`,
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

export const gatewayConfig = configNamespace<GatewayConfig>('gateway');
