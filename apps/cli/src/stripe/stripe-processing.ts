import { BadRequestException, ConflictException, Module, type DynamicModule, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '@app/shared/config/gateway.env.js';
import { GatewayModule } from '@app/shared/graphql/gateway.module.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { errorSummary } from '@app/shared/logging/redact.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import { WebhookHttpModule } from '../../../webhooks/src/http/http.module.js';
import { EventDedupeStore } from '../../../webhooks/src/stripe/event-dedupe.store.js';
import { StripeEventHandlers } from '../../../webhooks/src/stripe/handlers/stripe-event-handlers.js';
import { StripeWebhookModule } from '../../../webhooks/src/stripe/stripe-webhook.module.js';
import { StripeWebhookService, type WebhookOutcome } from '../../../webhooks/src/stripe/stripe-webhook.service.js';
import type { StripeProcessingConfig } from '../cli.env.js';
import { stripeSignature } from '../simulate/stripe-events.js';

/**
 * The webhooks service's Stripe flow (StripeWebhookModule: dedupe, handlers, object version lock,
 * dead-lettering, Kafka publishing) in an application context without HTTP, configured from the
 * same variables as the service.
 */
@Module({})
class StripeProcessingModule {
  static register(config: StripeProcessingConfig): DynamicModule {
    // The module's controller is never routed here, but its API-key guard is instantiated: give it
    // a key nobody knows.
    const http = { port: 0, apiKey: randomBytes(32).toString('hex') };
    return {
      module: StripeProcessingModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...config, http })] }),
        KafkaModule.forRoot(),
        RedisModule.forRoot(),
        GatewayModule.forRootAsync({ isGlobal: true, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow<GatewayConfig>('gateway') }),
        WebhookHttpModule,
        StripeWebhookModule,
      ],
    };
  }
}

/** What feeding one event through the Stripe flow gave. */
export type FeedResult =
  | { ok: true; outcome: WebhookOutcome }
  /** `transient`: may work when retried (gateway, Stripe API, Kafka or Redis unavailable, or in flight elsewhere). */
  | { ok: false; transient: boolean; error: string };

/** Outcomes after which the event's effect is in place (or was deliberately not needed). */
export const APPLIED_OUTCOMES: ReadonlySet<WebhookOutcome> = new Set(['processed', 'skipped', 'stale']);

export class StripeProcessing {
  private constructor(
    private readonly app: INestApplicationContext,
    private readonly secret: string,
  ) {}

  static async open(config: StripeProcessingConfig, logger: LoggerService | false = false): Promise<StripeProcessing> {
    const app = await NestFactory.createApplicationContext(StripeProcessingModule.register(config), { logger, abortOnError: false });
    return new StripeProcessing(app, config.stripe.webhooksSecret);
  }

  /** The event types the handlers cover. */
  get handledTypes(): string[] {
    return this.app.get(StripeEventHandlers, { strict: false }).types;
  }

  /**
   * Runs the raw event body through `StripeWebhookService.receive`, the very path a webhook
   * takes after its HTTP checks: it is signed here with the endpoint secret, so the service's own
   * verification, dedupe claim, handler and dead-lettering apply unchanged.
   */
  async feed(rawBody: Buffer): Promise<FeedResult> {
    const service = this.app.get(StripeWebhookService, { strict: false });
    try {
      const answer = await service.receive(rawBody, stripeSignature(rawBody.toString('utf8'), this.secret));
      return { ok: true, outcome: answer.outcome };
    } catch (err) {
      if (err instanceof BadRequestException) return { ok: false, transient: false, error: `not a valid Stripe event (${err.message})` };
      if (err instanceof ConflictException) return { ok: false, transient: true, error: 'the event is being processed right now elsewhere' };
      return { ok: false, transient: true, error: `processing failed; retry later (${String(errorSummary(err).message)})` };
    }
  }

  async isProcessed(eventId: string): Promise<boolean> {
    return this.app.get(EventDedupeStore, { strict: false }).isDone(eventId);
  }

  /** Drops the "processed" mark of an event (it was dead-lettered, not applied), so it runs again. */
  async forget(eventId: string): Promise<boolean> {
    return this.app.get(EventDedupeStore, { strict: false }).forget(eventId);
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
