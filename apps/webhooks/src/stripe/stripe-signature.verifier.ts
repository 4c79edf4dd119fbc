import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { STRIPE_CLIENT, parseStripeEvent, type StripeConfig, type StripeEvent } from '@app/stripe-sync';
import { stripeConfig } from '@app/stripe-sync';

/** Seconds a signature timestamp may differ from now (Stripe's recommended default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Checks `Stripe-Signature` over the exact bytes received (`STRIPE_WEBHOOKS_SECRET`, 300 s
 * tolerance) and reads the event. Every refusal is a 400 with a short fixed message.
 */
@Injectable()
export class StripeSignatureVerifier {
  private readonly logger = new Logger(StripeSignatureVerifier.name);

  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
  ) {}

  verify(rawBody: Buffer, signature: string | undefined): StripeEvent {
    if (!signature) throw this.refuse('Missing Stripe-Signature header', 'missing signature');
    let payload: unknown;
    try {
      payload = this.stripe.webhooks.constructEvent(rawBody, signature, this.config.webhooksSecret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw this.refuse('Invalid Stripe signature', 'signature verification failed', err.message);
      }
      throw this.refuse('Body is not a Stripe event', 'signed body is not JSON');
    }
    // Stripe's check only bounds the age; a timestamp from the future is as suspicious as an old one.
    if (signedAt(signature) > Date.now() / 1000 + SIGNATURE_TOLERANCE_SECONDS) {
      throw this.refuse('Invalid Stripe signature', 'signature timestamp is in the future');
    }
    const event = parseStripeEvent(payload);
    if (!event) throw this.refuse('Body is not a Stripe event', 'signed body is not a Stripe event envelope');
    return event;
  }

  private refuse(answer: string, why: string, detail?: string): BadRequestException {
    // Stripe's messages name the problem (no timestamp, too old, no match); they never echo the secret.
    this.logger.warn({ msg: `stripe webhook refused: ${why}`, detail });
    return new BadRequestException(answer);
  }
}

/** The `t=` of a (verified) Stripe-Signature header, in Unix seconds. */
function signedAt(header: string): number {
  const t = /(?:^|,)\s*t=(\d+)/.exec(header)?.[1];
  return t === undefined ? Number.NaN : Number(t);
}
