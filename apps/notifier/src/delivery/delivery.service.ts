import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { twilioReasonCode } from '@app/shared/codec/dead-letter.js';
import type { DeadLetterReasonCode } from '@app/shared/codec/messages.js';
import { FailureType, type SendSmsNotification } from '@app/shared/codec/messages.js';
import { eventIdentity } from '@app/shared/kafka/event-identity.js';
import { LOCALIZER, type Localizer } from '@app/shared/localization/localizer.js';
import { maskPhoneNumber } from '@app/shared/logging/redact.js';
import { ATTR_DELIVERY_OUTCOME } from '@app/shared/tracing/attributes.js';
import { annotateActiveSpan } from '@app/shared/tracing/spans.js';
import type { DeliveryConfig } from '../config/notifier.config.js';
import { DeliveryLedger, type ClaimResult } from '../ledger/delivery-ledger.js';
import { SMS_NOTIFIER, isSmsSendError, type OutgoingSms, type SentSms, type SmsNotifier } from '../notifiers/sms-notifier.js';
import { AbandonedError, isAbandoned, sleep, throwIfAbandoned } from '../resilience/abortable.js';
import { unlimited, Pacer, type RateLimiter } from '../resilience/pacer.js';
import { AttemptBudget, PermanentFailure, RetriesExhausted, RetryPolicy, type OnRetry } from '../resilience/retry-policy.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { broadcastIdOf } from './broadcast-header.js';
import { DeadLetterPublisher } from './dead-letter.publisher.js';
import { NotificationReader } from './notification-reader.js';
import type { DeadLetterCategory, Outcome, OutcomeKind } from './outcome.js';
import { deliveryConfig } from '../config/notifier.config.js';

/** Twilio's answer to a send to a number that opted out (STOP): not an error, the recipient said no. */
const TWILIO_OPTED_OUT = 21610;

/** Twilio refused the message because its recipient opted out. */
class RecipientOptedOut extends Error {
  constructor(readonly to: string) {
    super('the recipient opted out (Twilio 21610)');
  }
}

/** A message that must go to the dead-letter topic, and why. */
class DeadLetter extends Error {
  constructor(
    readonly category: DeadLetterCategory,
    readonly reasonCode: DeadLetterReasonCode,
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(reason);
  }
}

/**
 * A claim held by this attempt; released when the attempt ends without a delivery, unless the
 * SMS may be with the provider (`maybeSent`): then its lease runs out, and whoever reads the
 * event next recovers it and looks in the provider's log first.
 */
interface Claim {
  state: 'held';
  id: string;
  owner: string;
  result: Extract<ClaimResult, { state: 'claimed' | 'recovered' }>;
  leaseRefreshedAt: number;
  maybeSent: boolean;
}

const MARK_SENT_ATTEMPTS = 5;

/**
 * decode → resolve phone → claim in the ledger → localize → send → record. Every message ends
 * delivered, duplicate-skipped or dead-lettered (poison / permanent / retries-exhausted), or, on
 * shutdown or rebalance, abandoned (left uncommitted for the next owner). Never throws.
 */
@Injectable()
export class DeliveryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Delivery');
  private readonly instance = `${process.pid.toString(36)}${randomBytes(4).toString('hex')}`;
  private attemptCounter = 0;
  private readonly pacer: RateLimiter;
  readonly counts: Record<OutcomeKind | 'foundInProviderLog', number> = {
    delivered: 0,
    duplicate: 0,
    skipped: 0,
    stale: 0,
    'opted-out': 0,
    'dead-lettered': 0,
    abandoned: 0,
    foundInProviderLog: 0,
  };
  private statsTimer?: NodeJS.Timeout;

  constructor(
    @Inject(deliveryConfig.KEY) private readonly config: DeliveryConfig,
    @Inject(SMS_NOTIFIER) private readonly notifier: SmsNotifier,
    @Inject(LOCALIZER) private readonly localizer: Localizer,
    private readonly reader: NotificationReader,
    private readonly ledger: DeliveryLedger,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly retries: RetryPolicy,
    private readonly optOuts: OptOutRegistry,
    private readonly broadcastDelivery: BroadcastDeliveryStore,
  ) {
    this.pacer = config.maxMessagesPerSecond ? new Pacer(config.maxMessagesPerSecond) : unlimited;
  }

  onModuleInit(): void {
    if (this.config.statsIntervalMs > 0) {
      let last = '';
      this.statsTimer = setInterval(() => {
        const now = JSON.stringify(this.counts);
        if (now !== last) {
          const memory = process.memoryUsage();
          this.logger.log({
            msg: 'notifications processed',
            ...this.counts,
            rssMb: Math.round(memory.rss / 1048576),
            heapMb: Math.round(memory.heapUsed / 1048576),
          });
        }
        last = now;
      }, this.config.statsIntervalMs).unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.statsTimer);
  }

  async deliver(message: InboundMessage, signal: AbortSignal): Promise<Outcome> {
    const outcome = await this.process(message, signal);
    annotateActiveSpan({ [ATTR_DELIVERY_OUTCOME]: outcome.kind });
    this.counts[outcome.kind] += 1;
    if (outcome.kind === 'delivered' && outcome.foundInProviderLog) this.counts.foundInProviderLog += 1;
    return outcome;
  }

  private async process(message: InboundMessage, signal: AbortSignal): Promise<Outcome> {
    const log = { correlationId: message.correlationId };
    const budget = new AttemptBudget(this.config.maxAttempts);
    let claim: Claim | undefined;
    try {
      const read = this.reader.read(message);
      if (read.kind === 'poison') throw new DeadLetter('poison', read.reasonCode, read.reason, 0);
      if (read.kind === 'not-sms') return this.skip(read.type, log);
      const { event, to } = read;
      const ageMs = Date.now() - Number(message.timestamp);
      if (ageMs > this.maxAgeOf(event)) return this.stale(event, to, ageMs, log);
      const sms = { to, resourceKey: event.resourceKey, locale: event.locale, replacements: event.replacements };
      const acquired = await this.claim(eventIdentity(message), signal);
      if (acquired.state === 'sent') {
        this.logger.log({ msg: 'already delivered; skipped', ...log, providerId: acquired.providerId });
        return { settled: true, kind: 'duplicate', providerId: acquired.providerId };
      }
      claim = acquired;
      const body = await this.localize(sms, budget, signal, log);
      const broadcastId = broadcastIdOf(message.headers);
      const outgoing: OutgoingSms = { to: sms.to, body, ...(broadcastId === undefined ? {} : { broadcastId }) };
      const sent = await this.send(outgoing, claim, budget, signal, log);
      await this.record(claim, sent.sms, log);
      claim = undefined;
      const outcome: Outcome = {
        settled: true,
        kind: 'delivered',
        providerId: sent.sms.id,
        attempts: budget.used + 1,
        foundInProviderLog: sent.found,
      };
      if (this.config.logEachDelivery || sent.found) {
        const msg = sent.found ? 'SMS was already with the provider; recorded, not sent again' : 'SMS sent';
        this.logger[sent.found ? 'log' : 'debug']({
          msg,
          ...log,
          to: maskPhoneNumber(sms.to),
          providerId: sent.sms.id,
          attempts: outcome.attempts,
        });
      }
      return outcome;
    } catch (err) {
      if (claim && !claim.maybeSent) await this.release(claim, log);
      if (isAbandoned(err) || signal.aborted) {
        this.logger.log({ msg: 'abandoned; left for redelivery', ...log });
        return { settled: false, kind: 'abandoned' };
      }
      if (err instanceof RecipientOptedOut) return this.optedOut(message, err.to, signal, log);
      const dead = this.toDeadLetter(err, budget);
      return this.deadLetter(message, dead, signal);
    }
  }

  /** Client events and notifications share the topic with SendSms; they are nobody's SMS. */
  private skip(type: string, log: { correlationId: string }): Outcome {
    this.logger.debug({ msg: 'not an SMS; skipped', ...log, type });
    return { settled: true, kind: 'skipped', type };
  }

  private maxAgeOf(event: SendSmsNotification): number {
    return this.config.oneTimeCodeKeys.has(event.resourceKey) ? this.config.oneTimeCodeMaxAgeMs : this.config.maxAgeMs;
  }

  /** Too old to be of use (an expired code, yesterday's announcement): not sent, not dead-lettered. */
  private stale(event: SendSmsNotification, to: string, ageMs: number, log: { correlationId: string }): Outcome {
    this.logger.warn({
      msg: 'SendSms older than its age limit; not sent',
      ...log,
      to: maskPhoneNumber(to),
      resourceKey: event.resourceKey,
      ageMs,
    });
    return { settled: true, kind: 'stale', ageMs };
  }

  /** Claims the event, waiting while another consumer holds it. Redis outages are waited out, never dead-lettered. */
  private async claim(id: string, signal: AbortSignal): Promise<Claim | { state: 'sent'; providerId: string }> {
    const owner = `${this.instance}.${(this.attemptCounter++).toString(36)}`;
    for (;;) {
      const result = await this.retries.redis(() => this.ledger.claim(id, owner), signal);
      if (result.state === 'sent') return result;
      if (result.state !== 'busy')
        return { state: 'held', id, owner, result, leaseRefreshedAt: Date.now(), maybeSent: result.state === 'recovered' };
      await sleep(Math.min(Math.max(result.retryInMs, 50), 1000), signal);
    }
  }

  private async localize(
    sms: { resourceKey: string; locale: string; replacements: Record<string, string> },
    budget: AttemptBudget,
    signal: AbortSignal,
    log: { correlationId: string },
  ): Promise<string> {
    const localize = () => this.localizer.localize(sms.resourceKey, sms.locale, sms.replacements);
    const onRetry: OnRetry = (failure, attempt, delayMs) =>
      this.logger.warn({ msg: 'localization failed; retrying', ...log, attempt, delayMs, error: failure.message });
    return this.retries.localize(localize, budget, signal, onRetry).catch((err: unknown) => {
      if (err instanceof PermanentFailure) throw new DeadLetter('poison', 'poison.unknown-resource-key', err.message, budget.used);
      throw err;
    });
  }

  /**
   * Sends, unless an earlier attempt of this event may already have reached the provider (its
   * claim was recovered after a crash, or a request timed out): then the provider's log is asked
   * first, and a message found there is recorded instead of sending a second one. After a
   * timeout, that happens only once the settle delay has passed (see holdAfterAmbiguousSend).
   */
  private async send(sms: OutgoingSms, claim: Claim, budget: AttemptBudget, signal: AbortSignal, log: { correlationId: string }) {
    const onRetry: OnRetry = (failure, attempt, delayMs) =>
      this.logger.warn({ msg: 'sending failed; retrying', ...log, attempt, delayMs, error: failure.message });
    return this.retries
      .send(() => this.sendOnce(sms, claim, signal, log), budget, signal, onRetry)
      .catch((err: unknown) => {
        throw this.sendGivenUp(err, sms, claim, budget);
      });
  }

  private async sendOnce(
    sms: OutgoingSms,
    claim: Claim,
    signal: AbortSignal,
    log: { correlationId: string },
  ): Promise<{ sms: SentSms; found: boolean }> {
    if (claim.maybeSent && this.notifier.findEarlierSend) {
      const found = await this.notifier.findEarlierSend(sms, claim.result.since, (ids) => this.ledger.takenProviderIds(claim.id, ids));
      if (found) return { sms: found, found: true };
    }
    await this.pacer.acquire(signal);
    await this.keepLease(claim, signal);
    throwIfAbandoned(signal);
    try {
      return { sms: await this.notifier.send(sms, log), found: false };
    } catch (err) {
      if (isSmsSendError(err) && err.kind === 'ambiguous') await this.holdAfterAmbiguousSend(claim, signal);
      throw err;
    }
  }

  /** The error a send that was given up ends in. */
  private sendGivenUp(err: unknown, sms: OutgoingSms, claim: Claim, budget: AttemptBudget): unknown {
    if (err instanceof PermanentFailure) {
      const cause = err.error;
      const details = isSmsSendError(cause) ? cause.details : {};
      if (details.code === TWILIO_OPTED_OUT) return new RecipientOptedOut(sms.to);
      const code =
        details.code !== undefined
          ? twilioReasonCode(details.code)
          : details.status !== undefined
            ? `twilio.http-${details.status}`
            : 'twilio.rejected';
      return new DeadLetter('permanent', code, err.message, budget.used + 1);
    }
    if (err instanceof RetriesExhausted && claim.maybeSent) {
      return new DeadLetter(
        'retries-exhausted',
        'retries-exhausted',
        `${err.message} (the provider may have accepted an earlier attempt)`,
        err.attempts,
      );
    }
    return err;
  }

  /** Renews the claim's lease when a third of it has passed. */
  private async keepLease(claim: Claim, signal: AbortSignal): Promise<void> {
    if (Date.now() - claim.leaseRefreshedAt < this.config.claimLeaseMs / 3) return;
    await this.renewLease(claim, this.config.claimLeaseMs, signal);
  }

  /**
   * The provider may still create the unanswered message, or list it late. The retry waits the
   * settle delay before looking it up (sendFailure in retry-policy.ts); the lease covers that wait plus a normal
   * lease, so no other consumer recovers the claim and looks earlier, even if this one dies.
   */
  private async holdAfterAmbiguousSend(claim: Claim, signal: AbortSignal): Promise<void> {
    claim.maybeSent = true;
    await this.renewLease(claim, this.config.ambiguousSettleMs + this.config.claimLeaseMs, signal);
  }

  /** A lost claim means another consumer took over. */
  private async renewLease(claim: Claim, leaseMs: number, signal: AbortSignal): Promise<void> {
    const ours = await this.retries.redis(() => this.ledger.renew(claim.id, claim.owner, leaseMs), signal);
    if (!ours) throw new AbandonedError('claim lease lost to another consumer');
    claim.leaseRefreshedAt = Date.now();
  }

  /**
   * Records the delivery. This is the window that cannot be closed: the SMS is out, the record not
   * yet written. If recording keeps failing, the offset is still committed (so this consumer does
   * not read it again); a later reader of the same event finds the expired claim and asks the provider.
   */
  private async record(claim: Claim, sent: SentSms, log: { correlationId: string }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ledger.markSent(claim.id, sent.id);
        return;
      } catch (err) {
        if (attempt >= MARK_SENT_ATTEMPTS) {
          this.logger.error({ msg: 'SMS sent but its delivery could not be recorded', ...log, providerId: sent.id, err });
          return;
        }
        await sleep(100 * attempt);
      }
    }
  }

  private async release(claim: Claim, log: { correlationId: string }): Promise<void> {
    await this.ledger.release(claim.id, claim.owner).catch((err: unknown) => {
      // The lease runs out on its own; the next reader waits for it.
      this.logger.warn({ msg: 'could not release claim', ...log, err });
    });
  }

  /**
   * The recipient opted out at Twilio: remembered (OptOutRegistry) so broadcasts skip the number,
   * and counted for the message's broadcast, if any. Redis outages are waited out like the ledger's.
   */
  private async optedOut(message: InboundMessage, to: string, signal: AbortSignal, log: { correlationId: string }): Promise<Outcome> {
    try {
      await this.retries.redis(() => this.optOuts.optOut(to, 'twilio-21610'), signal);
      const broadcastId = broadcastIdOf(message.headers);
      if (broadcastId !== undefined) {
        const receipt = { messageId: eventIdentity(message), outcome: 'optedOut' as const };
        await this.retries.redis(() => this.broadcastDelivery.record(broadcastId, receipt), signal);
      }
    } catch {
      this.logger.log({ msg: 'abandoned before the opt-out was recorded', ...log });
      return { settled: false, kind: 'abandoned' };
    }
    this.logger.log({ msg: 'recipient opted out (Twilio 21610); recorded, not sent', ...log, to: maskPhoneNumber(to) });
    return { settled: true, kind: 'opted-out' };
  }

  private toDeadLetter(err: unknown, budget: AttemptBudget): DeadLetter {
    if (err instanceof DeadLetter) return err;
    if (err instanceof RetriesExhausted) return new DeadLetter('retries-exhausted', 'retries-exhausted', err.message, err.attempts);
    // Not expected: a bug or an unforeseen error of a dependency. Dead-letter rather than block.
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new DeadLetter('permanent', 'notifier.unexpected-error', message, budget.used);
  }

  private async deadLetter(message: InboundMessage, dead: DeadLetter, signal: AbortSignal): Promise<Outcome> {
    try {
      const reason = {
        reasonCode: dead.reasonCode,
        reason: dead.reason,
        attempts: dead.attempts,
        failureType: failureTypeOf(dead.category),
      };
      const deadLetterId = await this.deadLetters.publish(message, reason, signal);
      this.logger.warn({ msg: 'dead-lettered', correlationId: message.correlationId, category: dead.category, ...reason, deadLetterId });
      return {
        settled: true,
        kind: 'dead-lettered',
        category: dead.category,
        reasonCode: dead.reasonCode,
        attempts: dead.attempts,
        deadLetterId,
      };
    } catch {
      // Only an abort ends the publish loop: leave the message for redelivery.
      this.logger.log({ msg: 'abandoned before its dead-letter record was written', correlationId: message.correlationId });
      return { settled: false, kind: 'abandoned' };
    }
  }
}

/** How the C# tooling classifies a dead letter of each category. */
function failureTypeOf(category: DeadLetterCategory): FailureType {
  return category === 'retries-exhausted' ? FailureType.Transient : FailureType.Permanent;
}
