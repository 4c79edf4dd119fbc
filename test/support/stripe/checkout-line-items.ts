// stripe-mock is stateless: every checkout session's line items are its one fixture item. A test
// that needs a session with its own items edits stripe-mock's real answer on the way back (the
// fault proxy's rewrite): one item per price id, each a copy of the fixture item with that price.
import type { FaultProxy } from './fault-proxy.js';

interface LineItemList {
  data: { id: string; price: { id: string } & Record<string, unknown> }[];
}

/** From now on, stripe-mock lists `priceIds` (in this order) as the line items of `sessionId`. */
export function listLineItems(proxy: FaultProxy, sessionId: string, priceIds: string[]): void {
  proxy.rewrite({
    match: (req) => req.method === 'GET' && req.path.startsWith(`/v1/checkout/sessions/${sessionId}/line_items`),
    edit: (answer) => {
      const list = answer as LineItemList;
      const [fixture] = list.data;
      if (!fixture) throw new Error('stripe-mock listed no line item to copy');
      return { ...list, data: priceIds.map((id, i) => ({ ...fixture, id: `${fixture.id}${i}`, price: { ...fixture.price, id } })) };
    },
  });
}
