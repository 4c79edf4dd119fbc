// Child process of the announcement benchmark: the baseline. Pages through every subscriber of
// one client with the broadcaster's own SubscriberPager (same page size, same OIDC token, same
// keep-alive connection, one request after the other as a cursor requires) and produces nothing.
// That is the fastest any fan-out of this design can go. Reports the time over IPC.
import { subscriberPageQuery } from '../../apps/broadcaster/src/fanout/subscriber-page.query.js';
import { SubscriberPager } from '../../apps/broadcaster/src/fanout/subscriber-pager.js';
import { OidcTokenProvider } from '../../libs/shared/src/oidc/oidc-token-provider.js';

const env = process.env;
const tokens = new OidcTokenProvider({
  serverUrl: env.Oidc__ServerUrl,
  realm: env.Oidc__Realm,
  clientId: env.Oidc__ClientId,
  clientSecret: env.Oidc__ClientSecret,
  timeoutMs: 10_000,
});
const pager = new SubscriberPager(tokens, { url: env.GRAPHQL_API_URL, timeoutMs: 10_000 }, subscriberPageQuery());
const pageSize = Number(env.GRAPHQL_PAGE_SIZE ?? 50);
const clientId = env.BENCH_CLIENT_NODE_ID;

// Warm-up: the token and the connection, as the broadcaster has them before a broadcast.
await pager.fetchPage(clientId, pageSize, null);

const started = performance.now();
let subscribers = 0;
let pages = 0;
for (let cursor = null; ;) {
  const page = await pager.fetchPage(clientId, pageSize, cursor);
  subscribers += page.subscribers.length;
  pages += 1;
  if (page.next === null) break;
  cursor = page.next;
}
process.send?.({ ms: Math.round(performance.now() - started), subscribers, pages });
process.exit(0);
