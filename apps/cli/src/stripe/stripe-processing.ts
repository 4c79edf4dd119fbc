import { ConflictException, Module, type DynamicModule, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '@app/shared/config/app-config.module.js';
import { serviceConfigNamespaces } from '@app/shared/config/common.env.js';
import { gatewayConfig } from '@app/shared/config/gateway.env.js';
import { GatewayModule } from '@app/shared/graphql/gateway.module.js';
import { KafkaModule } from '@app/shared/kafka/kafka.module.js';
import { errorSummary } from '@app/shared/logging/redact.js';
import { RedisModule } from '@app/shared/redis/redis.module.js';
import {
  StripeEventProcessor,
  StripeSyncModule,
  stripeConfig,
  parseStripeEvent,
  type StripeEvent,
  type WebhookOutcome,
} from '@app/stripe-sync';
import type { StripeProcessingConfig } from '../cli.env.js';

/** The stripe-sync library (dedupe, handlers, object locks, dead-lettering, Kafka publishing) without HTTP, configured from the same variables as the webhooks service. */
@Module({})
class StripeProcessingModule {
  static register(config: StripeProcessingConfig): DynamicModule {
    return {
      module: StripeProcessingModule,
      imports: [
        AppConfigModule.forRoot(() => config, [...serviceConfigNamespaces, stripeConfig, gatewayConfig], {
          ignoreEnvFile: true,
        }),
        KafkaModule.forRoot(),
        RedisModule.forRoot(),
        GatewayModule.fromAppConfig(),
        StripeSyncModule,
      ],
    };
  }
}

/** What feeding one event through the Stripe flow gave. */
export type FeedResult =
  | { ok: true; outcome: WebhookOutcome }
  /** `transient`: may work when retried (gateway, Stripe API, Kafka or Redis unavailable, or in flight elsewhere). */
  | { ok: false; transient: boolean; error: string };

/**
 * Outcomes after which the event's effect is in place (or was deliberately not needed): `pending`
 * leaves a checkout to its async payment event, `duplicate` means another event (or an earlier
 * run) did the work.
 */
export const APPLIED_OUTCOMES: ReadonlySet<WebhookOutcome> = new Set(['processed', 'skipped', 'stale', 'pending', 'duplicate']);

export class StripeProcessing {
  private constructor(
    private readonly app: INestApplicationContext,
    private readonly processor: StripeEventProcessor,
  ) {}

  static async open(config: StripeProcessingConfig, logger: LoggerService | false = false): Promise<StripeProcessing> {
    const app = await NestFactory.createApplicationContext(StripeProcessingModule.register(config), { logger, abortOnError: false });
    return new StripeProcessing(app, app.get(StripeEventProcessor, { strict: false }));
  }

  /** The event types the handlers cover. */
  get handledTypes(): string[] {
    return this.processor.handledTypes;
  }

  /** Runs the raw event body through the same processing a verified webhook gets (dedupe claim, handler, dead-lettering). */
  async feed(rawBody: Buffer): Promise<FeedResult> {
    const event = readEvent(rawBody);
    if (!event) return { ok: false, transient: false, error: 'not a valid Stripe event (Body is not a Stripe event)' };
    try {
      return { ok: true, outcome: await this.processor.process(event, rawBody) };
    } catch (err) {
      if (err instanceof ConflictException)
        return { ok: false, transient: true, error: 'the event is being processed right now elsewhere' };
      return { ok: false, transient: true, error: `processing failed; retry later (${String(errorSummary(err).message)})` };
    }
  }

  isProcessed(eventId: string): Promise<boolean> {
    return this.processor.isProcessed(eventId);
  }

  /** Drops the "processed" mark of an event (it was dead-lettered, not applied), so it runs again. */
  forget(eventId: string): Promise<boolean> {
    return this.processor.forget(eventId);
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

function readEvent(rawBody: Buffer): StripeEvent | null {
  try {
    return parseStripeEvent(JSON.parse(rawBody.toString('utf8')));
  } catch {
    return null;
  }
}
