import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BroadcastReport } from '@app/shared/broadcast/broadcast-report.js';
import { PhoneCipherModule } from '@app/shared/crypto/phone-cipher.module.js';
import { OptOutModule } from '@app/shared/opt-out/opt-out.module.js';
import { REDIS } from '@app/shared/redis/redis.module.js';
import { AnnouncementSizer } from './announcement/announcement-size.js';
import { BroadcastRequests } from './announcement/broadcast-requests.js';
import { AnnouncementDraftStore } from './announcement/draft.store.js';
import { ConfirmHandler } from './commands/confirm.handler.js';
import { DraftHandler } from './commands/draft.handler.js';
import { HelpHandler } from './commands/help.handler.js';
import { KeywordMatcher } from './commands/keywords.js';
import { OptInHandler } from './commands/opt-in.handler.js';
import { OptOutHandler } from './commands/opt-out.handler.js';
import { SenderLookup } from './commands/sender-lookup.js';
import { SMS_COMMAND_HANDLERS, type SmsCommandHandler } from './commands/sms-command.js';
import { UnsubHandler } from './commands/unsub.handler.js';
import { InboundSmsService } from './inbound/inbound-sms.service.js';
import { MessageReplayStore } from './inbound/message-replay.store.js';
import { ReplyRenderer } from './inbound/reply-renderer.js';
import { TwilioSignatureModule } from './inbound/twilio-signature.module.js';
import { TwilioWebhookController } from './inbound/twilio-webhook.controller.js';
import { TwilioStatusModule } from './status/twilio-status.module.js';
import { SubscriberGatewayClient } from './subscriber-gateway.client.js';
import { twilioWebhookConfig, type TwilioWebhookConfig } from './twilio.env.js';

/** How long the CONFIRM/fan-out handshake of one broadcast is kept (far beyond Twilio's 15 s). */
const BROADCAST_REPORT_TTL_MS = 3_600_000;

/** The order in which commands are tried (the first that recognises a message answers it). */
const COMMAND_ORDER = [OptOutHandler, OptInHandler, HelpHandler, UnsubHandler, ConfirmHandler, DraftHandler] as const;

/**
 * Twilio inbound SMS: `POST /api/TwilioWebhookHandler`, one handler per command, announcement
 * drafts in Redis and CONFIRM recording the broadcast for the broadcaster app. Needs the
 * global LOCALIZER (LocalizationModule), GatewayGraphqlClient and OidcTokenProvider (GatewayModule), the
 * `twilio`, `gateway` and `encryption` config sections (AppConfigModule), REDIS and KafkaProducerService.
 */
@Module({
  imports: [PhoneCipherModule, OptOutModule, TwilioSignatureModule, TwilioStatusModule],
  controllers: [TwilioWebhookController],
  providers: [
    SubscriberGatewayClient,
    MessageReplayStore,
    ReplyRenderer,
    SenderLookup,
    {
      provide: KeywordMatcher,
      inject: [twilioWebhookConfig.KEY],
      useFactory: (config: TwilioWebhookConfig) => new KeywordMatcher(config.keywords),
    },
    AnnouncementDraftStore,
    AnnouncementSizer,
    BroadcastRequests,
    {
      provide: BroadcastReport,
      inject: [REDIS],
      useFactory: (redis: Redis) => new BroadcastReport(redis, BROADCAST_REPORT_TTL_MS),
    },
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
