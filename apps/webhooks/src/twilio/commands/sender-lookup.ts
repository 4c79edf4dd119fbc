import { Injectable } from '@nestjs/common';
import { SubscriberGatewayClient } from '../subscriber-gateway.client.js';
import type { Sender } from './sender.js';

/** Finds out who is texting: both gateway queries at once, at most once per message. */
@Injectable()
export class SenderLookup {
  constructor(private readonly gateway: SubscriberGatewayClient) {}

  async lookup(phoneNumber: string): Promise<Sender> {
    const [client, subscriber] = await Promise.all([
      this.gateway.clientByPhoneNumber(phoneNumber),
      this.gateway.subscriberByPhoneNumber(phoneNumber),
    ]);
    return { phoneNumber, ...(client ? { client } : {}), ...(subscriber ? { subscriber } : {}) };
  }

  /** A lookup that runs on first call only; later calls share its result (or its failure). */
  lazy(phoneNumber: string): () => Promise<Sender> {
    let pending: Promise<Sender> | undefined;
    return () => (pending ??= this.lookup(phoneNumber));
  }
}
