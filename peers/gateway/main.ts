// Runs the GraphQL gateway stand-in with the demo data set (see docs/gateway.md).
//   GATEWAY_PORT (default 5443), GATEWAY_HOST (default 127.0.0.1)
//   OIDC_ISSUER (default http://127.0.0.1:8180/realms/nudges), OIDC_JWKS_URL (default <issuer>/protocol/openid-connect/certs)
//   GATEWAY_SEED_SUBSCRIBERS: extra generated subscribers for Demo Coffee (default 0)
import { startGateway } from './gateway-server.js';
import { seedDemoData } from './seed.js';

const env = process.env;
const issuer = env['OIDC_ISSUER'] ?? 'http://127.0.0.1:8180/realms/nudges';
const demo = seedDemoData();
const extra = Number(env['GATEWAY_SEED_SUBSCRIBERS'] ?? 0);
if (extra > 0) demo.store.seedSubscribers(demo.activeClient.id, extra);

const gateway = await startGateway({
  port: Number(env['GATEWAY_PORT'] ?? 5443),
  host: env['GATEWAY_HOST'] ?? '127.0.0.1',
  issuer,
  jwksUrl: env['OIDC_JWKS_URL'] ?? `${issuer}/protocol/openid-connect/certs`,
  store: demo.store,
});
process.stdout.write(`GraphQL gateway stand-in ready: GRAPHQL_API_URL=${gateway.url} (tokens from ${issuer})\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.stop().then(() => process.exit(0));
  });
}
