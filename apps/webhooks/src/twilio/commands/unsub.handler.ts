import { Injectable, Logger } from '@nestjs/common';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import { SubscriberGatewayClient } from '../subscriber-gateway.client.js';
import { localeOf } from './sender.js';
import { textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from './sms-command.js';

const UNSUB = /^UNSUB\s+(\d{1,9})$/;

/** UNSUB <n>: leaves the n-th client (1-based) of the subscriber's list, through the gateway. */
@Injectable()
export class UnsubHandler implements SmsCommandHandler {
  readonly command = 'unsub';
  private readonly logger = new Logger(UnsubHandler.name);

  constructor(private readonly gateway: SubscriberGatewayClient) {}

  async handle({ keyword, sender }: SmsCommandInput): Promise<SmsReply | undefined> {
    const match = UNSUB.exec(keyword);
    if (!match) return undefined;
    const who = await sender();
    const locale = localeOf(who, 'subscriber');
    const subscriber = who.subscriber;
    if (!subscriber || subscriber.clients.length === 0) return textReply('NotSubscriber', locale);
    const client = subscriber.clients[Number(match[1]) - 1];
    if (!client) return textReply('UnsubscribeInvalidSelection', locale);
    const outcome = await this.gateway.unsubscribe(subscriber.id, client.id);
    if (outcome === 'not-subscribed') return textReply('UnsubscribeInvalidSelection', locale);
    this.logger.log({ msg: 'subscriber unsubscribed by SMS', from: maskPhoneNumber(who.phoneNumber), clientId: client.id });
    return textReply('UnsubscribeSuccess', locale, { clientName: client.name });
  }
}
