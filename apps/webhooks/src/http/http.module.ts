import { Global, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard.js';
import { InternalEndpointsServer } from './internal-endpoints.server.js';
import { postOnly } from './post-only.middleware.js';

/** The webhook paths (Stripe events, inbound SMS, Twilio status callbacks): POST only. */
export const WEBHOOK_PATHS = ['api/StripeWebhookHandler', 'api/TwilioWebhookHandler', 'api/TwilioStatusCallback'] as const;

/** The API-key guard both webhook endpoints share, their method rule, and the internal port. */
@Global()
@Module({
  providers: [ApiKeyGuard, InternalEndpointsServer],
  exports: [ApiKeyGuard, InternalEndpointsServer],
})
export class WebhookHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(postOnly).forRoutes(...WEBHOOK_PATHS.map((path) => ({ path, method: RequestMethod.ALL })));
  }
}
