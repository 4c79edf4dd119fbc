// Runs the Keycloak-shaped OIDC stand-in: OIDC_PORT (default 8180), OIDC_REALM (default nudges),
// OIDC_CLIENT_ID / OIDC_CLIENT_SECRET (default webhooks / webhooks-secret), OIDC_PUBLIC_URL (the URL
// clients use, when it differs from http://OIDC_HOST:OIDC_PORT, e.g. in docker compose).
import { DEFAULT_OIDC_CLIENT, startOidcServer } from './oidc-server.js';

const env = process.env;
const clientId = env['OIDC_CLIENT_ID'] ?? DEFAULT_OIDC_CLIENT.clientId;
const clientSecret = env['OIDC_CLIENT_SECRET'] ?? DEFAULT_OIDC_CLIENT.clientSecret;

const server = await startOidcServer({
  port: Number(env['OIDC_PORT'] ?? 8180),
  host: env['OIDC_HOST'] ?? '127.0.0.1',
  realm: env['OIDC_REALM'] ?? 'nudges',
  clients: { [clientId]: clientSecret },
  publicUrl: env['OIDC_PUBLIC_URL'],
});
process.stdout.write(
  `OIDC stand-in ready: Oidc__ServerUrl=${server.serverUrl} Oidc__Realm=${server.realm} Oidc__ClientId=${clientId}\n` +
    `issuer ${server.issuer}\njwks   ${server.jwksUrl}\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
