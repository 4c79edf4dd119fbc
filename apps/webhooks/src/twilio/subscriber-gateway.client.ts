import { Injectable } from '@nestjs/common';
import { NudgesGateway } from '@app/shared/graphql/nudges-gateway.js';
import { SubscriberPager } from './announcement/subscriber-pager.js';

export interface SenderClient {
  id: string;
  name: string;
  slug: string;
  locale?: string;
  /** The client's plan subscription is ACTIVE. */
  subscriptionActive: boolean;
}

export interface SubscribedClient {
  id: string;
  name: string;
}

export interface SenderSubscriber {
  id: string;
  locale?: string;
  /** Every client the subscriber follows, in the stable order `UNSUB <n>` refers to. */
  clients: SubscribedClient[];
}

export interface Recipient {
  id: string;
  /** E.164 or the encrypted form, as stored; undefined when the subscriber has none. */
  phoneNumber?: string;
  locale?: string;
}

export type UnsubscribeOutcome = 'unsubscribed' | 'not-subscribed';

/**
 * What the SMS commands and the announcement fan-out need from the Nudges gateway: who sent an
 * SMS (client or subscriber), unsubscribing, and a client's subscribers page by page. Tests replace
 * it with a fake (overrideProvider).
 */
@Injectable()
export class SubscriberGatewayClient {
  constructor(
    private readonly gateway: NudgesGateway,
    private readonly pager: SubscriberPager,
  ) {}

  async clientByPhoneNumber(phoneNumber: string): Promise<SenderClient | null> {
    const client = await this.gateway.clientByPhoneNumber(phoneNumber);
    if (!client) return null;
    return {
      id: client.id,
      name: client.name,
      slug: client.slug,
      ...(client.locale ? { locale: client.locale } : {}),
      subscriptionActive: client.hasActiveSubscription,
    };
  }

  async subscriberByPhoneNumber(phoneNumber: string): Promise<SenderSubscriber | null> {
    const subscriber = await this.gateway.subscriberByPhoneNumber(phoneNumber);
    if (!subscriber) return null;
    return {
      id: subscriber.id,
      ...(subscriber.locale ? { locale: subscriber.locale } : {}),
      clients: subscriber.clients.map((c) => ({ id: c.id, name: c.name })),
    };
  }

  /** Unsubscribes on the subscriber's behalf; 'not-subscribed' when the gateway says there is nothing to undo. */
  async unsubscribe(subscriberId: string, clientId: string): Promise<UnsubscribeOutcome> {
    const outcome = await this.gateway.unsubscribeSubscriber(subscriberId, clientId);
    return outcome === 'unsubscribed' ? 'unsubscribed' : 'not-subscribed';
  }

  /**
   * Every subscriber of the client, page by page; throws (transient) when a page cannot be fetched.
   * The paging goes through SubscriberPager (lean and one page ahead), not Apollo.
   */
  subscribersOf(clientId: string, pageSize: number): AsyncIterable<readonly Recipient[]> {
    return this.pager.pages(clientId, pageSize);
  }
}
