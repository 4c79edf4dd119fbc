import { GatewayGraphqlClient } from '@app/shared/graphql/gateway-graphql.client.js';
import { OidcTokenProvider } from '@app/shared/oidc/oidc-token-provider.js';
import { startGateway, type GatewayOptions, type TestGateway } from '../../peers/gateway/gateway-server.js';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../peers/oidc/oidc-server.js';

export interface GatewayPeers {
  oidc: OidcServer;
  gateway: TestGateway;
  /** The env variables that point an app at these peers. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the OIDC server and the GraphQL test gateway (which trusts its tokens) on ephemeral ports. */
export async function startGatewayPeers(
  options: Pick<GatewayOptions, 'slowMs' | 'store' | 'audience'> & { tokenLifetimeSeconds?: number } = {},
): Promise<GatewayPeers> {
  const { tokenLifetimeSeconds, ...gatewayOptions } = options;
  const oidc = await startOidcServer({ realm: 'nudges', tokenLifetimeSeconds });
  const gateway = await startGateway({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, ...gatewayOptions });
  return {
    oidc,
    gateway,
    env: {
      GRAPHQL_API_URL: gateway.url,
      Oidc__ServerUrl: oidc.serverUrl,
      Oidc__Realm: oidc.realm,
      Oidc__ClientId: DEFAULT_OIDC_CLIENT.clientId,
      Oidc__ClientSecret: DEFAULT_OIDC_CLIENT.clientSecret,
    },
    stop: async () => {
      await gateway.stop();
      await oidc.stop();
    },
  };
}

/** The peers serving `store`, and a GatewayGraphqlClient logged in to them (the gateway clients' specs). */
export async function startGatewayClient(store: GatewayOptions['store']): Promise<GatewayPeers & { graphql: GatewayGraphqlClient }> {
  const peers = await startGatewayPeers({ store, audience: 'nudges-gateway' });
  const { oidc, gateway } = peers;
  const tokens = new OidcTokenProvider({ serverUrl: oidc.serverUrl, realm: oidc.realm, ...DEFAULT_OIDC_CLIENT, timeoutMs: 2000 });
  const graphql = new GatewayGraphqlClient({ url: gateway.url, timeoutMs: 3000 }, tokens);
  return {
    ...peers,
    graphql,
    stop: async () => {
      graphql.onModuleDestroy();
      await peers.stop();
    },
  };
}
