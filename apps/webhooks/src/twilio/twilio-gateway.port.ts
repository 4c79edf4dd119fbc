/**
 * What the SMS commands need from the Nudges gateway. The production implementation
 * (NudgesTwilioGateway) sits on the shared NudgesGateway; keeping the commands on this narrow
 * port keeps them independent of GraphQL.
 */
export const TWILIO_GATEWAY = Symbol('TWILIO_GATEWAY');

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

export interface TwilioGateway {
  clientByPhoneNumber(phoneNumber: string): Promise<SenderClient | null>;
  subscriberByPhoneNumber(phoneNumber: string): Promise<SenderSubscriber | null>;
  /** Unsubscribes on the subscriber's behalf; 'not-subscribed' when the gateway says there is nothing to undo. */
  unsubscribe(subscriberId: string, clientId: string): Promise<UnsubscribeOutcome>;
  /** Every subscriber of the client, page by page. Throws (transient) when a page cannot be fetched. */
  subscribersOf(clientId: string, pageSize: number): AsyncIterable<readonly Recipient[]>;
}
