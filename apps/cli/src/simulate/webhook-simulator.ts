import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { maskPhone } from '@app/shared/crypto/mask.js';
import { scrubText } from '@app/shared/logging/redact.js';
import type { SimulateConfig } from '../cli.env.js';
import { CliUsageError } from '../cli.errors.js';
import type { CliOutput } from '../cli-output.js';
import { EXIT_FAILED, EXIT_OK } from '../cli-output.js';
import { SIMULATED_STRIPE_EVENTS } from './simulated-stripe-events.js';
import {
  checkoutSessionObject,
  priceObject,
  productObject,
  stripeEvent,
  stripeSignature,
  type StripeEventPayload,
} from './stripe-events.js';

export const STRIPE_PATH = '/api/StripeWebhookHandler';
export const TWILIO_PATH = '/api/TwilioWebhookHandler';

export { SIMULATED_STRIPE_EVENTS, type SimulatedStripeEvent } from './simulated-stripe-events.js';

export interface StripeSimulationOptions {
  customer?: string;
  product?: string;
  price?: string;
  name?: string;
  description?: string;
  /** Price or checkout amount in the smallest currency unit (cents). */
  amount?: number;
  currency?: string;
  nickname?: string;
  metadata?: Record<string, string>;
  eventId?: string;
}

export interface SmsSimulationOptions {
  from: string;
  to?: string;
  messageSid?: string;
}

export interface SimulationResult {
  status: number;
  body: string;
}

/** Builds the event `simulate stripe <kind>` sends, with the options applied. */
export function simulatedStripeEvent(kind: string, o: StripeSimulationOptions = {}): StripeEventPayload {
  const event = (type: string, object: Record<string, unknown>) => stripeEvent(type, object, o.eventId ? { id: o.eventId } : {});
  switch (kind) {
    case 'checkout':
    case 'checkout.session.completed':
      return event(
        'checkout.session.completed',
        checkoutSessionObject({
          ...(o.customer ? { customer: o.customer } : {}),
          ...(o.amount !== undefined ? { amountTotal: o.amount } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
          ...(o.name ? { customerName: o.name } : {}),
          ...(o.metadata ? { metadata: o.metadata } : {}),
        }),
      );
    case 'product.created':
    case 'product.updated':
    case 'product.deleted':
      return event(
        kind,
        productObject({
          ...(o.product ? { id: o.product } : {}),
          ...(o.name ? { name: o.name } : {}),
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.metadata ? { metadata: o.metadata } : {}),
          ...(kind === 'product.deleted' ? { active: false } : {}),
        }),
      );
    case 'price.created':
    case 'price.updated':
    case 'price.deleted':
      return event(
        kind,
        priceObject({
          ...(o.price ? { id: o.price } : {}),
          ...(o.product ? { product: o.product } : {}),
          ...(o.amount !== undefined ? { unitAmount: o.amount } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
          ...(o.nickname ? { nickname: o.nickname } : {}),
          ...(o.metadata ? { metadata: o.metadata } : {}),
          ...(kind === 'price.deleted' ? { active: false } : {}),
        }),
      );
    default:
      throw new CliUsageError(`unknown Stripe event "${kind}"; one of: ${SIMULATED_STRIPE_EVENTS.join(', ')}`);
  }
}

/**
 * Sends requests to a running webhooks service exactly as Stripe and Twilio would: the Stripe
 * event signed with `STRIPE_WEBHOOKS_SECRET`; the SMS as a form post signed with
 * `TWILIO_AUTH_TOKEN` over the URL the service rebuilds (`TWILIO_WEBHOOK_PUBLIC_URL` or the
 * service's own URL, plus path and query).
 */
export class WebhookSimulator {
  constructor(
    private readonly config: SimulateConfig,
    private readonly out: CliOutput,
  ) {}

  async stripe(kind: string, options: StripeSimulationOptions = {}): Promise<number> {
    const secret = this.config.stripeWebhooksSecret;
    if (!secret) throw new CliUsageError('STRIPE_WEBHOOKS_SECRET is required to sign Stripe events');
    const event = simulatedStripeEvent(kind, options);
    const body = JSON.stringify(event);
    this.out.print(`→ POST ${STRIPE_PATH}  ${event.type} ${event.id}`);
    const res = await this.post(
      STRIPE_PATH,
      { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': stripeSignature(body, secret) },
      body,
    );
    return this.report(res);
  }

  async sms(text: string, options: SmsSimulationOptions): Promise<number> {
    const token = this.config.twilioAuthToken;
    if (!token) throw new CliUsageError('TWILIO_AUTH_TOKEN is required to sign SMS webhooks');
    if (!options.from) throw new CliUsageError('--from <phone> is required');
    const messageSid = options.messageSid ?? `SM${randomBytes(16).toString('hex')}`;
    // The parameters Twilio posts for an inbound SMS (the service acts on From, Body and MessageSid).
    const params: Record<string, string> = {
      ToCountry: 'US',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      SmsSid: messageSid,
      SmsStatus: 'received',
      Body: text,
      To: options.to ?? '+15555559999',
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: this.config.twilioAccountSid,
      From: options.from,
      ApiVersion: '2010-04-01',
    };
    const pathAndQuery = this.pathAndQuery(TWILIO_PATH);
    const signedUrl = `${this.config.twilioPublicUrl ?? this.config.webhooksUrl}${pathAndQuery}`;
    const signature = twilio.getExpectedTwilioSignature(token, signedUrl, params);
    this.out.print(`→ POST ${TWILIO_PATH}  SMS from ${maskPhone(options.from)} (${messageSid})`);
    const res = await this.post(
      TWILIO_PATH,
      { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      new URLSearchParams(params).toString(),
    );
    return this.report(res);
  }

  private pathAndQuery(path: string): string {
    return `${path}?code=${encodeURIComponent(this.config.apiKey)}`;
  }

  private async post(path: string, headers: Record<string, string>, body: string): Promise<SimulationResult> {
    const url = `${this.config.webhooksUrl}${this.pathAndQuery(path)}`;
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new WebhooksUnreachableError(this.config.webhooksUrl, err);
    }
    return { status: res.status, body: await res.text() };
  }

  private report(res: SimulationResult): number {
    this.out.print(`← ${res.status} ${scrubText(res.body)}`);
    return res.status >= 200 && res.status < 300 ? EXIT_OK : EXIT_FAILED;
  }
}

export class WebhooksUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
    super(`the webhooks service at ${url} did not answer (${why}); is it running? (WEBHOOKS_URL)`, { cause });
    this.name = 'WebhooksUnreachableError';
  }
}
