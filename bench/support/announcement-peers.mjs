// Child process of the announcement benchmark: the OIDC stand-in and the test GraphQL gateway with
// one client ("Bench Crowd", ACTIVE subscription) and BENCH_SUBSCRIBERS subscribers (every 10th
// es-ES). Reports its URLs, the client's phone and node id over IPC; `stop` ends it.
import { subscriberNodeId } from '../../peers/gateway/resolvers.js';
import { encodeNodeId } from '../../libs/shared/src/graphql/node-id.js';
import { startGatewayPeers } from '../../test/support/gateway-peers.js';

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const clientPhone = '+15550007001';
const peers = await startGatewayPeers({ tokenLifetimeSeconds: 3600 });
const { store } = peers.gateway;
const client = store.addClient({ name: 'Bench Crowd', slug: 'bench-crowd', phoneNumber: clientPhone, locale: 'en-US' });
const plan = store.addPlan({ name: 'Bench plan' });
const tier = store.addPriceTier(plan.id, { name: 'Monthly', price: 9.99 });
const confirmation = store.addPaymentConfirmation({ confirmationCode: 'in_bench_announcement' });
store.addPlanSubscription({ clientId: client.id, paymentConfirmationId: confirmation.id, priceTierId: tier.id });
store.seedSubscribers(client.id, subscribers);
// Sort and encode the global ids once now, not during the measured CONFIRM.
for (const id of store.subscriberIdsOf(client.id)) subscriberNodeId(store.subscribers.get(id));

process.send?.({ ready: true, clientPhone, clientNodeId: encodeNodeId('Client', client.id), env: peers.env });

process.on('message', async (message) => {
  if (message?.cmd === 'stop') {
    await peers.stop();
    process.exit(0);
  }
});
