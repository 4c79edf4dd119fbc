import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApolloClient, InMemoryCache, type DocumentNode } from '@apollo/client';
import { BaseHttpLink } from '@apollo/client/link/http';
import { GRAPHQL_MAX_PAGE_SIZE, type GatewayConfig } from '../config/gateway.env.js';
import { OidcTokenProvider, type AccessTokenSource } from '../oidc/oidc-token-provider.js';
import { toGatewayError } from './gateway-error-mapping.js';
import { CheckedOnceIncrementalHandler } from './checked-once-incremental-handler.js';
import { gatewayFetch, type GatewayFetch } from './gateway-transport.js';

export const GATEWAY_OPTIONS = 'NUDGES_GATEWAY_OPTIONS';

export interface GatewayOptions extends Pick<GatewayConfig, 'url' | 'timeoutMs'> {
  /**
   * `first` of every paged request (a subscriber's clients): 1 to GRAPHQL_MAX_PAGE_SIZE (50), the
   * gateway's maximum. Default 50.
   */
  pageSize?: number;
}

/**
 * Sends the documents of ./operations.ts to the Nudges gateway, for the clients of each concern
 * (BillingGatewayClient, SubscriberGatewayClient). Every call either returns the operation's data
 * or throws GatewayUnavailableError (transient: let the webhook answer 500) or GatewayBusinessError
 * (permanent). Nothing retries for long: one quick retry after a 401, with a fresh token, is all.
 */
@Injectable()
export class GatewayGraphqlClient implements OnModuleDestroy {
  /** `first` of the paged requests, checked against the gateway's maximum. */
  readonly pageSize: number;
  private readonly apollo: ApolloClient;
  private readonly transport: GatewayFetch;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions, @Inject(OidcTokenProvider) tokens: AccessTokenSource) {
    this.pageSize = checkedPageSize(options.pageSize ?? GRAPHQL_MAX_PAGE_SIZE);
    // Bearer token, 401 refresh, timeout and keep-alive live in the transport (gateway-transport.ts).
    this.transport = gatewayFetch({ timeoutMs: options.timeoutMs, tokens });
    this.apollo = new ApolloClient({
      // HttpLink without its client-awareness headers (we send no client name). Every operation uses
      // all of its variables, so the link need not walk the document per request to drop unused ones.
      link: new BaseHttpLink({ uri: options.url, fetch: this.transport.fetch, includeUnusedVariables: true }),
      // Required by ApolloClient; never written to (every operation is 'no-cache').
      cache: new InMemoryCache(),
      incrementalHandler: new CheckedOnceIncrementalHandler(),
      queryDeduplication: false,
      defaultOptions: {
        query: { fetchPolicy: 'no-cache' },
        mutate: { fetchPolicy: 'no-cache' },
      },
    });
  }

  onModuleDestroy(): void {
    this.apollo.stop();
    this.transport.close();
  }

  async query<T>(operation: string, query: DocumentNode, variables: Record<string, unknown>): Promise<T> {
    try {
      const result = await this.apollo.query({ query, variables, fetchPolicy: 'no-cache', errorPolicy: 'none' });
      if (result.error) throw result.error;
      return result.data as T;
    } catch (error) {
      throw toGatewayError(operation, error);
    }
  }

  async mutate<T>(operation: string, mutation: DocumentNode, variables: Record<string, unknown>): Promise<T> {
    try {
      const result = await this.apollo.mutate({ mutation, variables, fetchPolicy: 'no-cache', errorPolicy: 'none' });
      if (result.error) throw result.error;
      return result.data as T;
    } catch (error) {
      throw toGatewayError(operation, error);
    }
  }
}

/** A page size the gateway serves, or a RangeError (asking for more would fail with HC0051). */
function checkedPageSize(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > GRAPHQL_MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be a whole number from 1 to ${GRAPHQL_MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return pageSize;
}
