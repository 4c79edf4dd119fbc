import { startGateway, type TestGateway } from '../../peers/gateway/gateway-server.js';
import { DEFAULT_OIDC_CLIENT, startOidcServer, type OidcServer } from '../../peers/oidc/oidc-server.js';

export interface GatewayPeers {
  oidc: OidcServer;
  gateway: TestGateway;
  /** The env variables that point an app at these peers. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the OIDC server and the GraphQL test gateway (which trusts its tokens) on ephemeral ports. */
export async function startGatewayPeers(options: { slowMs?: number; tokenLifetimeSeconds?: number } = {}): Promise<GatewayPeers> {
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
