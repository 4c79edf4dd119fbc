import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EncryptionConfig } from '@app/shared/config/encryption.env.js';
import type { GatewayConfig } from '@app/shared/config/gateway.env.js';
import { PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { ANNOUNCEMENT_PHONE_CIPHER, AnnouncementBroadcaster } from './announcement/announcement-broadcaster.js';
import { AnnouncementDraftStore } from './announcement/draft.store.js';
import { SubscriberPager } from './announcement/subscriber-pager.js';
import { ConfirmHandler } from './commands/confirm.handler.js';
import { DraftHandler } from './commands/draft.handler.js';
import { HelpHandler } from './commands/help.handler.js';
import { IgnoredKeywordHandler } from './commands/ignored-keyword.handler.js';
import { SenderLookup } from './commands/sender-lookup.js';
import { SMS_COMMAND_HANDLERS, type SmsCommandHandler } from './commands/sms-command.js';
import { UnsubHandler } from './commands/unsub.handler.js';
import { InboundSmsService } from './inbound/inbound-sms.service.js';
import { MessageReplayStore } from './inbound/message-replay.store.js';
import { ReplyRenderer } from './inbound/reply-renderer.js';
import { TwilioSignatureVerifier } from './inbound/twilio-signature.js';
import { TwilioWebhookController } from './inbound/twilio-webhook.controller.js';
import { SubscriberGatewayClient } from './subscriber-gateway.client.js';
import { TWILIO_CONFIG, type TwilioWebhookConfig } from './twilio.env.js';

/** The order in which commands are tried (the first that recognises a message answers it). */
const COMMAND_ORDER = [IgnoredKeywordHandler, HelpHandler, UnsubHandler, ConfirmHandler, DraftHandler] as const;

/**
 * Twilio inbound SMS: `POST /api/TwilioWebhookHandler`, one handler per command, announcement
 * drafts in Redis and the broadcast to every subscriber in one Kafka transaction. Needs the
 * global LOCALIZER (LocalizationModule), GatewayGraphqlClient and OidcTokenProvider (GatewayModule), the
 * `twilio`, `gateway` and `encryption` config sections, REDIS and KafkaProducerService.
 */
@Module({
  controllers: [TwilioWebhookController],
  providers: [
    {
      provide: TWILIO_CONFIG,
      inject: [ConfigService],
      // The broadcast pages by the gateway's page size (GRAPHQL_PAGE_SIZE, at most the gateway's 50).
      useFactory: (c: ConfigService): TwilioWebhookConfig => ({
        ...c.getOrThrow<Omit<TwilioWebhookConfig, 'pageSize'>>('twilio'),
        pageSize: c.getOrThrow<GatewayConfig>('gateway').pageSize,
      }),
    },
    {
      provide: ANNOUNCEMENT_PHONE_CIPHER,
      inject: [ConfigService],
      useFactory: (c: ConfigService) => {
        const key = c.get<EncryptionConfig>('encryption')?.key;
        return key ? new PhoneCipher(key) : undefined;
      },
    },
    SubscriberPager,
    SubscriberGatewayClient,
    TwilioSignatureVerifier,
    MessageReplayStore,
    ReplyRenderer,
    SenderLookup,
    AnnouncementDraftStore,
    AnnouncementBroadcaster,
    ...COMMAND_ORDER,
    {
      provide: SMS_COMMAND_HANDLERS,
      inject: [...COMMAND_ORDER],
      useFactory: (...handlers: SmsCommandHandler[]) => handlers,
    },
    InboundSmsService,
  ],
})
export class TwilioWebhookModule {}
