import type { GatewayConfig } from '@app/shared/config/gateway.env.js';
import { GatewayBusinessError, GatewayUnavailableError } from '@app/shared/graphql/gateway.errors.js';
import { fromGraphQLErrors, fromRequestFailure, type GraphQLErrorEntry } from '@app/shared/graphql/graphql-errors.js';
import { gatewayFetch, type GatewayFetch } from '@app/shared/graphql/gateway-transport.js';
import type { AccessTokenSource } from '@app/shared/oidc/oidc-token-provider.js';

const OPERATION = 'ClientSubscribersPage';

interface PageResponse {
  data?: {
    client: {
      subscribers: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: SubscriberNode[] | null;
      } | null;
    } | null;
  } | null;
  errors?: GraphQLErrorEntry[];
}

interface SubscriberNode {
  id: string;
  locale: string | null;
  phoneNumber: string | null;
}

/** A subscriber as the fan-out needs it. */
export interface Subscriber {
  id: string;
  /** As the gateway stores it: plain E.164 or encrypted; undefined when the subscriber has none. */
  phoneNumber: string | undefined;
  locale: string | undefined;
  /** Set when the number has opted out of SMS (see PageStreams). */
  optedOut?: boolean;
}

/** One plain object per subscriber, every property always present (one hidden class, no spreads). */
const toSubscriber = (s: SubscriberNode): Subscriber => ({
  id: s.id,
  phoneNumber: s.phoneNumber || undefined,
  locale: s.locale || undefined,
});

/** One page of subscribers and the cursor after it (null after the last page). */
export interface SubscriberPage {
  subscribers: Subscriber[];
  next: string | null;
}

/** Reads one page of a client's subscribers after a cursor. */
export type PageSource = (clientId: string, pageSize: number, after: string | null) => Promise<SubscriberPage>;

/**
 * Pages through all subscribers of a client for the announcement fan-out: the same
 * `ClientSubscribersPage` operation of operations.ts, with the same OIDC token, but posted with
 * the gateway transport's keep-alive fetch directly instead of through Apollo, whose per-node
 * result processing dominates a 100,000-subscriber broadcast. It runs on the page-reading thread
 * (page-reader.worker.ts), which loads neither Nest nor Apollo. Reading ahead is PageStream's concern.
 * Failures are GatewayUnavailableError (network, timeout, 5xx/429, 401 after one token refresh,
 * a GraphQL execution error without a known code) or GatewayBusinessError (request-shape GraphQL
 * errors such as HC0051 or AUTH_NOT_AUTHORIZED, unknown client, a cursor that does not advance),
 * sorted as for every other gateway call (graphql-errors.ts).
 */
export class SubscriberPager {
  private readonly url: URL;
  private readonly transport: GatewayFetch;

  /** `query`: the printed `CLIENT_SUBSCRIBERS_PAGE` (subscriberPageQuery()), handed in so this module does not load Apollo. */
  constructor(
    tokens: AccessTokenSource,
    gateway: Pick<GatewayConfig, 'url' | 'timeoutMs'>,
    private readonly query: string,
  ) {
    this.url = new URL(gateway.url);
    this.transport = gatewayFetch({ timeoutMs: gateway.timeoutMs, tokens, maxSockets: 8 });
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  /** The page of `clientId`'s subscribers after `after` (null: the first page). */
  async fetchPage(clientId: string, first: number, after: string | null): Promise<SubscriberPage> {
    const json = await this.post({ clientId, first, after });
    if (json.errors?.length) throw fromGraphQLErrors(OPERATION, json.errors);
    const client = json.data?.client;
    if (!client) throw new GatewayBusinessError(OPERATION, 'ClientNotFoundError', 'the client does not exist');
    const connection = client.subscribers;
    const subscribers = (connection?.nodes ?? []).map(toSubscriber);
    const info = connection?.pageInfo;
    if (!info?.hasNextPage || !info.endCursor) return { subscribers, next: null };
    if (info.endCursor === after) throw new GatewayBusinessError(OPERATION, 'PagingError', 'the gateway returned the same cursor twice');
    return { subscribers, next: info.endCursor };
  }

  /** The gateway's answer; the transport adds the token and retries once with a fresh one after a 401. */
  private async post(variables: Record<string, unknown>): Promise<PageResponse> {
    let res: Response;
    try {
      res = await this.transport.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ operationName: OPERATION, query: this.query, variables }),
      });
    } catch (err) {
      throw fromRequestFailure(OPERATION, err);
    }
    if (!res.ok) {
      if (res.status === 401 || res.status === 403)
        throw new GatewayUnavailableError(OPERATION, 'unauthorized', `HTTP ${res.status}`, res.status);
      if (res.status >= 500 || res.status === 429 || res.status === 408)
        throw new GatewayUnavailableError(OPERATION, 'http-status', `HTTP ${res.status}`, res.status);
      throw new GatewayBusinessError(OPERATION, `HTTP${res.status}`, `HTTP ${res.status}`);
    }
    try {
      return (await res.json()) as PageResponse;
    } catch (err) {
      if ((err as { name?: string }).name === 'TimeoutError') throw fromRequestFailure(OPERATION, err);
      throw new GatewayUnavailableError(OPERATION, 'bad-response', 'unparsable answer', res.status, { cause: err });
    }
  }
}
