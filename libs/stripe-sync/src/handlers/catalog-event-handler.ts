import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { BillingGatewayClient } from '../billing-gateway.client.js';
import { ObjectVersionLock } from '../object-version-lock.js';
import type { StripeEvent } from '../stripe-event.js';
import { StripeEventsPublisher } from '../stripe-events.publisher.js';
import type { HandlerOutcome, StripeEventHandler } from './stripe-event-handler.js';
import { objectOf, priceSchema, productSchema, type StripePrice, type StripeProduct } from './stripe-objects.js';

/**
 * The common part of the product and price handlers: the event's object, parsed, and what they sync
 * it with (the gateway's billing client, the object's version lock). Each subclass is one event type.
 */
@Injectable()
export abstract class CatalogEventHandler<O> implements StripeEventHandler {
  abstract readonly eventType: string;
  protected abstract readonly schema: z.ZodType<O>;

  constructor(
    protected readonly gateway: BillingGatewayClient,
    protected readonly objects: ObjectVersionLock,
  ) {}

  handle(event: StripeEvent): Promise<HandlerOutcome> {
    return this.sync(objectOf(event, this.schema), event.created);
  }

  /** `created`: the event's time, which orders the changes of one object. */
  protected abstract sync(object: O, created: number): Promise<HandlerOutcome>;
}

@Injectable()
export abstract class PriceEventHandler extends CatalogEventHandler<StripePrice> {
  protected readonly schema = priceSchema;
}

/** Product handlers that announce the product on `foreign-products`. */
@Injectable()
export abstract class ProductEventHandler extends CatalogEventHandler<StripeProduct> {
  protected readonly schema = productSchema;

  constructor(
    gateway: BillingGatewayClient,
    objects: ObjectVersionLock,
    protected readonly publisher: StripeEventsPublisher,
  ) {
    super(gateway, objects);
  }
}
