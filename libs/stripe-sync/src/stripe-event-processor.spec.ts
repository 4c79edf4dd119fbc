import { InternalServerErrorException } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import type { ClaimResult, EventDedupeStore } from './event-dedupe.store.js';
import { StripeEventHandlers } from './handlers/stripe-event-handlers.js';
import type { HandlerOutcome, StripeEventHandler } from './handlers/stripe-event-handler.js';
import { objectOf, productSchema } from './handlers/stripe-objects.js';
import { STRIPE_API_VERSION } from './stripe-api-version.js';
import type { StripeEvent } from './stripe-event.js';
import { NotYetSyncedError } from './stripe-event.errors.js';
import { StripeEventProcessor } from './stripe-event-processor.js';
import type { StripeEventsPublisher } from './stripe-events.publisher.js';
import { StripeSyncMetrics } from './stripe-sync.metrics.js';
import type { StripeConfig } from './stripe.env.js';
import { counterValue, productObject } from './testing/handler-test-kit.js';

const GRACE_SECONDS = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** Claims in a map: `done` after complete, dropped after release. */
class FakeDedupe implements Pick<EventDedupeStore, 'claim'> {
  readonly done = new Set<string>();
  readonly released: string[] = [];

  async claim(eventId: string): Promise<ClaimResult> {
    if (this.done.has(eventId)) return { status: 'duplicate' };
    return {
      status: 'claimed',
      complete: async () => void this.done.add(eventId),
      release: async () => void this.released.push(eventId),
    };
  }
}

class DeadLetters implements Pick<StripeEventsPublisher, 'deadLetter'> {
  readonly records: { eventId: string; reasonCode: string; reason: string }[] = [];

  async deadLetter(event: StripeEvent, _raw: Buffer, reasonCode: string, reason: string) {
    this.records.push({ eventId: event.id, reasonCode, reason });
    return { eventKey: { type: 'MessageFailed', id: '00000000-0000-4000-8000-000000000001' } } as DeadLetterRecord;
  }
}

/** product.updated that reads its object like the real handlers, or fails as told. */
class ProductHandler implements StripeEventHandler {
  readonly eventType = 'product.updated';
  failure: Error | null = null;

  async handle(event: StripeEvent): Promise<HandlerOutcome> {
    objectOf(event, productSchema);
    if (this.failure) throw this.failure;
    return 'processed';
  }
}

function setUp() {
  const dedupe = new FakeDedupe();
  const deadLetters = new DeadLetters();
  const registry = new Registry();
  const handler = new ProductHandler();
  const config = { notYetSyncedGraceSeconds: GRACE_SECONDS } as StripeConfig;
  const processor = new StripeEventProcessor(
    new StripeEventHandlers([handler]),
    dedupe as unknown as EventDedupeStore,
    deadLetters as unknown as StripeEventsPublisher,
    new StripeSyncMetrics(registry),
    config,
  );
  return { processor, dedupe, deadLetters, registry, handler };
}

let sequence = 0;
function event(fields: Partial<StripeEvent> = {}, object: Record<string, unknown> = productObject()): StripeEvent {
  sequence += 1;
  return {
    id: `evt_${sequence}`,
    object: 'event',
    type: 'product.updated',
    created: now(),
    livemode: false,
    api_version: STRIPE_API_VERSION,
    data: { object: object as StripeEvent['data']['object'] },
    ...fields,
  };
}

const RAW = Buffer.from('{}');
const OTHER_VERSION = 'nudges_stripe_events_other_api_version_total';
const NOT_YET_SYNCED = 'nudges_stripe_events_not_yet_synced_total';

describe('StripeEventProcessor', () => {
  describe('API version', () => {
    it('handles an event of another API version whose object still parses, and counts it by version', async () => {
      const { processor, registry } = setUp();
      expect(await processor.process(event({ api_version: '2025-03-31.basil' }), RAW)).toBe('processed');
      expect(await counterValue(registry, OTHER_VERSION, { api_version: '2025-03-31.basil' })).toBe(1);
    });

    it('does not count events of the pinned version, nor those without one', async () => {
      const { processor, registry } = setUp();
      await processor.process(event(), RAW);
      await processor.process(event({ api_version: null }), RAW);
      expect((await registry.getSingleMetric(OTHER_VERSION)?.get())?.values).toEqual([]);
    });

    it('dead-letters an event of another API version whose object does not parse, naming both versions', async () => {
      const { processor, deadLetters } = setUp();
      const e = event({ api_version: '2020-08-27' }, { ...productObject(), name: { text: 'Gold' } });
      expect(await processor.process(e, RAW)).toBe('deadlettered');
      expect(deadLetters.records).toEqual([
        {
          eventId: e.id,
          reasonCode: 'stripe.api-version-mismatch',
          reason: `product.updated object lacks or has malformed fields: name; the event is of Stripe API version 2020-08-27, the handlers are written for ${STRIPE_API_VERSION}`,
        },
      ]);
    });

    it('keeps stripe.invalid-object for a malformed object of the pinned version', async () => {
      const { processor, deadLetters } = setUp();
      await processor.process(event({}, { ...productObject(), name: 7 }), RAW);
      expect(deadLetters.records[0]?.reasonCode).toBe('stripe.invalid-object');
    });
  });

  describe('an object not synced yet', () => {
    const missing = () => new NotYetSyncedError('stripe.plan-not-found', 'no plan is linked to product prod_1');

    it('answers 500 within the grace period: claim released, nothing dead-lettered, counted as retried', async () => {
      const { processor, dedupe, deadLetters, registry, handler } = setUp();
      handler.failure = missing();
      const e = event({ created: now() - GRACE_SECONDS + 60 });
      await expect(processor.process(e, RAW)).rejects.toBeInstanceOf(InternalServerErrorException);
      expect(dedupe.released).toEqual([e.id]);
      expect(dedupe.done.has(e.id)).toBe(false);
      expect(deadLetters.records).toEqual([]);
      expect(await counterValue(registry, NOT_YET_SYNCED, { type: 'product.updated', outcome: 'retried' })).toBe(1);
    });

    it('dead-letters it once the grace period from event.created is over, and marks it processed', async () => {
      const { processor, dedupe, deadLetters, registry, handler } = setUp();
      handler.failure = missing();
      const e = event({ created: now() - GRACE_SECONDS - 1 });
      expect(await processor.process(e, RAW)).toBe('deadlettered');
      expect(deadLetters.records).toEqual([
        { eventId: e.id, reasonCode: 'stripe.plan-not-found', reason: 'no plan is linked to product prod_1, still after the grace period' },
      ]);
      expect(dedupe.done.has(e.id)).toBe(true);
      expect(await counterValue(registry, NOT_YET_SYNCED, { type: 'product.updated', outcome: 'deadlettered' })).toBe(1);
    });

    it('with a grace of 0, dead-letters at once', async () => {
      const { dedupe, deadLetters, handler } = setUp();
      handler.failure = missing();
      const processor = new StripeEventProcessor(
        new StripeEventHandlers([handler]),
        dedupe as unknown as EventDedupeStore,
        deadLetters as unknown as StripeEventsPublisher,
        new StripeSyncMetrics(new Registry()),
        { notYetSyncedGraceSeconds: 0 } as StripeConfig,
      );
      expect(await processor.process(event(), RAW)).toBe('deadlettered');
    });
  });
});
