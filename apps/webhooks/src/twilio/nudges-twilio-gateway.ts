import { Injectable } from '@nestjs/common';
import { NudgesGateway } from '@app/shared/graphql/nudges-gateway.js';
import { SubscriberPager } from './announcement/subscriber-pager.js';
import type { Recipient, SenderClient, SenderSubscriber, TwilioGateway, UnsubscribeOutcome } from './twilio-gateway.port.js';

/** The Twilio port on the shared NudgesGateway (GraphQL over the OIDC-authenticated client). */
@Injectable()
export class NudgesTwilioGateway implements TwilioGateway {
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

  async unsubscribe(subscriberId: string, clientId: string): Promise<UnsubscribeOutcome> {
    const outcome = await this.gateway.unsubscribeSubscriber(subscriberId, clientId);
    return outcome === 'unsubscribed' ? 'unsubscribed' : 'not-subscribed';
  }

  /** The fan-out's paging goes through SubscriberPager (lean and one page ahead), not Apollo. */
  subscribersOf(clientId: string, pageSize: number): AsyncIterable<readonly Recipient[]> {
    return this.pager.pages(clientId, pageSize);
  }
}
