import { WEBHOOK_OUTCOMES } from '@app/stripe-sync';
import { answerProblems, documentedStripeOutcomes } from '../../support/fuzz/answer-checks.js';
import type { FuzzCase } from '../../support/fuzz/fuzz-cases.js';

// The fuzz suite accepts a 200 from the Stripe endpoint only with an outcome docs/stripe.md
// documents; this keeps that table equal to what the processor can answer.
describe('docs/stripe.md outcome table', () => {
  it('lists every outcome the Stripe endpoint can answer, and nothing else', () => {
    expect([...documentedStripeOutcomes()].sort()).toEqual([...WEBHOOK_OUTCOMES].sort());
  });

  it.each(WEBHOOK_OUTCOMES)('lets the fuzz checker accept the acknowledgement with outcome %s', (outcome) => {
    const c = { category: 'stripe:signed-wrong-shape', endpoint: 'stripe', expect: [200] } as unknown as FuzzCase;
    const ack = { status: 200, headers: {}, body: Buffer.from(JSON.stringify({ received: true, outcome })) };
    expect(answerProblems(c, ack)).toEqual([]);
  });

  it('makes the fuzz checker refuse an outcome nobody documented', () => {
    const c = { category: 'stripe:signed-wrong-shape', endpoint: 'stripe', expect: [200] } as unknown as FuzzCase;
    const ack = { status: 200, headers: {}, body: Buffer.from('{"received":true,"outcome":"maybe"}') };
    expect(answerProblems(c, ack)).toHaveLength(1);
  });
});
