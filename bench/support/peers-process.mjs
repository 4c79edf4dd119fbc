// Child process of the benchmark: the OIDC stand-in and the test GraphQL gateway, seeded with
// BENCH_PRICES price tiers (price_bench_0 …), three per plan as in a real catalog (a patchPriceTier
// answer carries the whole plan with its tiers). Reports its URLs over IPC and answers `stats`
// with the gateway's mutation counts.
import { startGatewayPeers } from '../../test/support/gateway-peers.js';
import { answerControl } from './child-control.mjs';

const prices = Number(process.env.BENCH_PRICES ?? 1000);
const { gateway, env, stop } = await startGatewayPeers({ tokenLifetimeSeconds: 3600 });
const TIERS_PER_PLAN = 3;
let plan;
for (let i = 0; i < prices; i++) {
  if (i % TIERS_PER_PLAN === 0)
    plan = gateway.store.addPlan({ name: `Bench plan ${i / TIERS_PER_PLAN}`, foreignServiceId: `prod_bench_${i / TIERS_PER_PLAN}` });
  gateway.store.addPriceTier(plan.id, { name: `Tier ${i}`, price: 1, foreignServiceId: `price_bench_${i}` });
}

process.send?.({ ready: true, env });

process.on('message', async (message) => {
  if (await answerControl(message)) return;
  if (message?.cmd === 'stats') {
    const counts = {};
    for (const m of gateway.mutations) counts[`${m.field}:${m.outcome}`] = (counts[`${m.field}:${m.outcome}`] ?? 0) + 1;
    process.send?.({ stats: counts, requests: gateway.requestCount() });
  } else if (message?.cmd === 'stop') {
    await stop();
    process.exit(0);
  }
});
