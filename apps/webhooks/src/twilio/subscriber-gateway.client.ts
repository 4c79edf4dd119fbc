import { Injectable } from '@nestjs/common';
import { payloadError } from '@app/shared/graphql/graphql-errors.js';
import { GatewayGraphqlClient } from '@app/shared/graphql/gateway-graphql.client.js';
import { nextCursor, type MutationPayload, type PageInfo } from '@app/shared/graphql/gateway-payload.js';
import * as ops from '@app/shared/graphql/operations.js';

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

export type UnsubscribeOutcome = 'unsubscribed' | 'not-subscribed';

// ---- the answers as selected in @app/shared/graphql/operations.ts

interface RawClientProfile {
  id: string;
  name: string;
  slug: string;
  locale: string | null;
  subscription: { status: string | null } | null;
}
interface RawSubscriber {
  id: string;
  locale: string | null;
  clients: { pageInfo: PageInfo; nodes: SubscribedClient[] | null } | null;
}

/**
 * The Nudges gateway operations of the SMS commands: who sent an SMS (client or subscriber) and
 * unsubscribing. (The announcement fan-out pages through subscribers in the broadcaster app.)
 * Tests replace it with a fake (overrideProvider).
 */
@Injectable()
export class SubscriberGatewayClient {
  constructor(private readonly graphql: GatewayGraphqlClient) {}

  /** The client texting from this number; null if the number is not a client's. */
  async clientByPhoneNumber(phoneNumber: string): Promise<SenderClient | null> {
    const data = await this.graphql.query<{ clientByPhoneNumber: RawClientProfile | null }>(
      'ClientByPhoneNumber',
      ops.CLIENT_BY_PHONE_NUMBER,
      { phoneNumber },
    );
    const client = data.clientByPhoneNumber;
    if (!client) return null;
    return {
      id: client.id,
      name: client.name,
      slug: client.slug,
      ...(client.locale ? { locale: client.locale } : {}),
      subscriptionActive: client.subscription?.status?.toUpperCase() === 'ACTIVE',
    };
  }

  /** The subscriber texting from this number, with all its clients (every page); null if none. */
  async subscriberByPhoneNumber(phoneNumber: string): Promise<SenderSubscriber | null> {
    const name = 'SubscriberByPhoneNumber';
    const clients: SubscribedClient[] = [];
    let after: string | null = null;
    for (;;) {
      const variables = { phoneNumber, first: this.graphql.pageSize, after };
      const data: { subscriberByPhoneNumber: RawSubscriber | null } = await this.graphql.query(
        name,
        ops.SUBSCRIBER_BY_PHONE_NUMBER,
        variables,
      );
      const subscriber = data.subscriberByPhoneNumber;
      if (!subscriber) return null;
      clients.push(...(subscriber.clients?.nodes ?? []).map((c) => ({ id: c.id, name: c.name })));
      after = nextCursor(name, subscriber.clients?.pageInfo, after);
      if (after === null) return { id: subscriber.id, ...(subscriber.locale ? { locale: subscriber.locale } : {}), clients };
    }
  }

  /** Unsubscribes on the subscriber's behalf; 'not-subscribed' when the gateway says there is nothing to undo. */
  async unsubscribe(subscriberId: string, clientId: string): Promise<UnsubscribeOutcome> {
    const name = 'UnsubscribeSubscriberFromClient';
    const data = await this.graphql.mutate<{ unsubscribeSubscriberFromClient: MutationPayload }>(
      name,
      ops.UNSUBSCRIBE_SUBSCRIBER_FROM_CLIENT,
      {
        input: { subscriberId, clientId },
      },
    );
    const errors = data.unsubscribeSubscriberFromClient.errors ?? [];
    if (errors.length === 0) return 'unsubscribed';
    if (errors.every((e) => e.__typename === 'NotSubscribedError')) return 'not-subscribed';
    throw payloadError(name, errors);
  }
}
