import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import type { Localizer } from '@app/shared/localization/localizer.js';
import type { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import type { DeliveryConfig } from '../config/notifier.config.js';
import type { ClaimResult, DeliveryLedger } from '../ledger/delivery-ledger.js';
import { NotifierMetrics } from '../metrics/notifier-metrics.js';
import { SmsSendError, type OutgoingSms, type SentSms, type SmsNotifier } from '../notifiers/sms-notifier.js';
import { RetryPolicy, sendFailure } from '../resilience/retry-policy.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import type { DeadLetterPublisher } from './dead-letter.publisher.js';
import { DeliveryService } from './delivery.service.js';
import { NotificationReader } from './notification-reader.js';

const SETTLE_MS = 300;
const LEASE_MS = 1000;

const config: DeliveryConfig = {
  maxAttempts: 5,
  retryBaseMs: 10,
  retryMaxMs: 20,
  breakerThreshold: 100,
  breakerCooldownMs: 50,
  claimLeaseMs: LEASE_MS,
  ambiguousSettleMs: SETTLE_MS,
  dedupeTtlMs: 60_000,
  maxAgeMs: 86_400_000,
  oneTimeCodeMaxAgeMs: 600_000,
  oneTimeCodeKeys: new Set(['SendOtp']),
  shutdownGraceMs: 1000,
  statsIntervalMs: 0,
  logEachDelivery: false,
};

const message: InboundMessage = {
  topic: 'notifications',
  partition: 0,
  offset: '7',
  timestamp: String(Date.now()),
  key: Buffer.from('{"EventType":"SendSms"}'),
  value: Buffer.from(
    '{"$type":"notification.sendSms","PhoneNumber":"\\u002B15550001234","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}',
  ),
  headers: {},
  correlationId: 'notifications/0/7',
};

const timeout = () => new SmsSendError('ambiguous', 'Twilio did not answer within 5000 ms', { countsAsOutage: true });
const optedOut = () => new SmsSendError('permanent', 'Twilio 400 (error 21610)', { status: 400, code: 21610 });
const unavailable = () => new SmsSendError('transient', 'Twilio 503', { status: 503, countsAsOutage: true });

/** A provider whose answers are scripted: each send takes the next step (an error, or "accepted"). */
class FakeProvider implements SmsNotifier {
  readonly kind = 'twilio' as const;
  readonly sends: number[] = [];
  readonly lookups: number[] = [];
  /** Messages the provider created, with the time from which its log lists them. */
  readonly log: { sms: SentSms; listedFrom: number }[] = [];
  failedAt?: number;

  constructor(
    private readonly script: ('accept' | 'accept-then-timeout' | 'timeout' | 'unavailable' | 'opted-out')[],
    private readonly listLagMs = 0,
  ) {}

  async send(_sms: OutgoingSms): Promise<SentSms> {
    this.sends.push(Date.now());
    const step = this.script.shift() ?? 'accept';
    const sms = { id: `SM${this.sends.length}` };
    if (step === 'accept' || step === 'accept-then-timeout') this.log.push({ sms, listedFrom: Date.now() + this.listLagMs });
    if (step === 'accept') return sms;
    this.failedAt = Date.now();
    if (step === 'opted-out') throw optedOut();
    throw step === 'unavailable' ? unavailable() : timeout();
  }

  async findEarlierSend(): Promise<SentSms | undefined> {
    this.lookups.push(Date.now());
    return this.log.find((m) => m.listedFrom <= Date.now())?.sms;
  }
}

class FakeLedger {
  readonly renewals: number[] = [];
  readonly released: string[] = [];
  readonly sent: string[] = [];
  async claim(): Promise<ClaimResult> {
    return { state: 'claimed', since: Date.now() };
  }
  async renew(_id: string, _owner: string, leaseMs: number): Promise<boolean> {
    this.renewals.push(leaseMs);
    return true;
  }
  async markSent(_id: string, providerId: string): Promise<void> {
    this.sent.push(providerId);
  }
  async release(id: string): Promise<void> {
    this.released.push(id);
  }
  async takenProviderIds(): Promise<Set<string>> {
    return new Set();
  }
}

/** The OptOutRegistry and BroadcastDeliveryStore, recording what they were told. */
class FakeOptOuts {
  readonly optedOut: string[] = [];
  async optOut(phone: string): Promise<void> {
    this.optedOut.push(phone);
  }
}
class FakeBroadcastDelivery {
  readonly receipts: { broadcastId: string; messageId: string; outcome: string }[] = [];
  async record(broadcastId: string, receipt: { messageId: string; outcome: string }): Promise<boolean> {
    this.receipts.push({ broadcastId, ...receipt });
    return true;
  }
}

function delivery(provider: FakeProvider, ledger = new FakeLedger()) {
  const localizer: Localizer = { localize: async () => 'Welcome to Nudges!' };
  const published: { reasonCode: string; failureType: number }[] = [];
  const deadLetters = {
    publish: async (_m: InboundMessage, why: { reasonCode: string; failureType: number }) => {
      published.push(why);
      return 'dead-1';
    },
  } as unknown as DeadLetterPublisher;
  const retries = new RetryPolicy(config, provider.kind, new NotifierMetrics(new Registry()));
  const optOuts = new FakeOptOuts();
  const broadcastDelivery = new FakeBroadcastDelivery();
  const service = new DeliveryService(
    config,
    provider,
    localizer,
    new NotificationReader(undefined),
    ledger as unknown as DeliveryLedger,
    deadLetters,
    retries,
    optOuts as unknown as OptOutRegistry,
    broadcastDelivery as unknown as BroadcastDeliveryStore,
  );
  return { service, ledger, published, optOuts, broadcastDelivery };
}

describe('sendFailure', () => {
  it('makes an ambiguous failure wait the settle delay, and no other kind', () => {
    expect(sendFailure(timeout(), SETTLE_MS)).toMatchObject({ kind: 'transient', reason: 'no_answer', minDelayMs: SETTLE_MS });
    expect(sendFailure(unavailable(), SETTLE_MS)).not.toHaveProperty('minDelayMs');
    expect(sendFailure(new SmsSendError('permanent', '21211', { status: 400, code: 21211 }), SETTLE_MS)).toMatchObject({
      kind: 'permanent',
    });
    expect(sendFailure(new Error('a bug'), SETTLE_MS)).toEqual({ kind: 'transient', message: 'a bug', countsAsOutage: true });
  });
});

describe('DeliveryService after an ambiguous send', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('waits the settle delay, then finds the message in the provider log instead of sending it again', async () => {
    // Listed later than a quick retry would look, but within the settle delay.
    const provider = new FakeProvider(['accept-then-timeout'], SETTLE_MS - 100);
    const { service, ledger } = delivery(provider);
    const outcome = await service.deliver(message, new AbortController().signal);

    expect(outcome).toMatchObject({ kind: 'delivered', providerId: 'SM1', foundInProviderLog: true });
    expect(provider.sends).toHaveLength(1);
    expect(provider.lookups).toHaveLength(1);
    expect(provider.lookups[0]! - provider.failedAt!).toBeGreaterThanOrEqual(SETTLE_MS - 1);
    expect(ledger.renewals).toEqual([SETTLE_MS + LEASE_MS]);
    expect(ledger.sent).toEqual(['SM1']);
  });

  it('sends again after the settle delay when the provider log does not have the message', async () => {
    const provider = new FakeProvider(['timeout']);
    const { service, ledger } = delivery(provider);
    const outcome = await service.deliver(message, new AbortController().signal);

    expect(outcome).toMatchObject({ kind: 'delivered', providerId: 'SM2', foundInProviderLog: false, attempts: 2 });
    expect(provider.sends).toHaveLength(2);
    expect(provider.lookups).toHaveLength(1);
    expect(provider.sends[1]! - provider.failedAt!).toBeGreaterThanOrEqual(SETTLE_MS - 1);
    expect(provider.lookups[0]!).toBeLessThanOrEqual(provider.sends[1]!);
    expect(ledger.sent).toEqual(['SM2']);
  });

  it('retries a failure that surely did not reach the provider after the normal backoff, without a lookup', async () => {
    const provider = new FakeProvider(['unavailable']);
    const { service, ledger } = delivery(provider);
    const outcome = await service.deliver(message, new AbortController().signal);

    expect(outcome).toMatchObject({ kind: 'delivered', providerId: 'SM2', foundInProviderLog: false });
    expect(provider.sends[1]! - provider.failedAt!).toBeLessThan(SETTLE_MS);
    expect(provider.lookups).toHaveLength(0);
    expect(ledger.renewals).toEqual([]);
  });

  it('keeps the claim when abandoned during the settle delay, so the next reader recovers it and looks first', async () => {
    const provider = new FakeProvider(['timeout']);
    const { outcome, ledger } = await abandonAfterFirstFailure(provider);

    expect(outcome).toEqual({ settled: false, kind: 'abandoned' });
    expect(provider.sends).toHaveLength(1);
    expect(ledger.renewals).toEqual([SETTLE_MS + LEASE_MS]);
    expect(ledger.released).toEqual([]);
  });

  it('still releases the claim when abandoned after a failure that surely did not reach the provider', async () => {
    const { outcome, ledger } = await abandonAfterFirstFailure(new FakeProvider(['unavailable', 'unavailable', 'unavailable']));

    expect(outcome).toEqual({ settled: false, kind: 'abandoned' });
    expect(ledger.released).toHaveLength(1);
  });
});

/** Delivers `message` and abandons it (shutdown) once the provider has failed it a first time. */
async function abandonAfterFirstFailure(provider: FakeProvider) {
  const { service, ledger } = delivery(provider);
  const controller = new AbortController();
  const outcome = service.deliver(message, controller.signal);
  await waitUntil(() => provider.failedAt !== undefined);
  controller.abort();
  return { outcome: await outcome, ledger };
}

async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('DeliveryService reading the notifications topic', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const signal = new AbortController().signal;
  const at = (value: string, key: string | null, timestamp = Date.now()): InboundMessage => ({
    ...message,
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    timestamp: String(timestamp),
  });

  it('sends the earlier generation to the phone number in the key', async () => {
    const provider = new FakeProvider(['accept']);
    const { service } = delivery(provider);
    const earlier = at(
      '{"$type":"notification.sendSms","ResourceKey":"WelcomeMessage","Locale":"es-ES","Replacements":{}}',
      '{"EventType":"SendSms","EventKey":"\\u002B15550009876"}',
    );
    await expect(service.deliver(earlier, signal)).resolves.toMatchObject({ kind: 'delivered' });
    expect(provider.sends).toHaveLength(1);
  });

  it.each([
    [
      'client.created',
      '{"$type":"client.created","UserId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59","PhoneNumberEncrypted":"x","Name":"Acme","Locale":"en-US"}',
    ],
    ['client.updated', '{"$type":"client.updated","UserId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59","ClientNodeId":"Q2xpZW50OjE="}'],
    [
      'notification.clientCreated',
      '{"$type":"notification.clientCreated","ResourceKey":"ClientCreatedNotificationEvent","Locale":"en-US","Replacements":{}}',
    ],
  ])('skips %s without sending or dead-lettering', async (type, value) => {
    const provider = new FakeProvider([]);
    const { service, published } = delivery(provider);
    await expect(service.deliver(at(value, '{"ClientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59"}'), signal)).resolves.toEqual({
      settled: true,
      kind: 'skipped',
      type,
    });
    expect(provider.sends).toHaveLength(0);
    expect(published).toHaveLength(0);
  });

  it('dead-letters a SendSms that names no recipient, and a camelCase one (C# would bind nothing)', async () => {
    const { service, published } = delivery(new FakeProvider([]));
    const noRecipient = at(
      '{"$type":"notification.sendSms","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}',
      '{"EventType":"SendSms"}',
    );
    await expect(service.deliver(noRecipient, signal)).resolves.toMatchObject({ kind: 'dead-lettered', reasonCode: 'poison.no-recipient' });
    // Deliberately camelCase: the wrong shape a C# reader would bind as nulls, so it must be refused.
    const camel = at(
      '{"$type":"notification.sendSms","phoneNumber":"+15550001234","resourceKey":"WelcomeMessage","locale":"en-US","replacements":{}}',
      '{"EventType":"SendSms"}',
    );
    await expect(service.deliver(camel, signal)).resolves.toMatchObject({ kind: 'dead-lettered', reasonCode: 'poison.invalid-fields' });
    expect(published.map((p) => p.failureType)).toEqual([2, 2]);
  });

  it('does not send a SendSms older than its age limit (one-time codes have a shorter one)', async () => {
    const provider = new FakeProvider([]);
    const { service, published } = delivery(provider);
    const otp =
      '{"$type":"notification.sendSms","PhoneNumber":"+15550001234","ResourceKey":"SendOtp","Locale":"en-US","Replacements":{"otp":"1234"}}';
    const elevenMinutesAgo = Date.now() - 11 * 60_000;
    await expect(service.deliver(at(otp, '{"EventType":"SendSms"}', elevenMinutesAgo), signal)).resolves.toMatchObject({ kind: 'stale' });
    const oldAnnouncement = message.value!.toString();
    await expect(service.deliver(at(oldAnnouncement, null, Date.now() - 25 * 3_600_000), signal)).resolves.toMatchObject({ kind: 'stale' });
    expect(provider.sends).toHaveLength(0);
    expect(published).toHaveLength(0);
    await expect(service.deliver(at(oldAnnouncement, null, elevenMinutesAgo), signal)).resolves.toMatchObject({ kind: 'delivered' });
  });
});

describe('DeliveryService when the recipient opted out (Twilio 21610)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const signal = new AbortController().signal;

  it('settles as opted-out without a dead letter, and records the number', async () => {
    const provider = new FakeProvider(['opted-out']);
    const { service, published, optOuts, ledger, broadcastDelivery } = delivery(provider);
    await expect(service.deliver(message, signal)).resolves.toEqual({ settled: true, kind: 'opted-out' });
    expect(provider.sends).toHaveLength(1);
    expect(published).toEqual([]);
    expect(optOuts.optedOut).toEqual(['+15550001234']);
    expect(ledger.released).toHaveLength(1);
    expect(broadcastDelivery.receipts).toEqual([]);
    expect(service.counts).toMatchObject({ 'opted-out': 1, 'dead-lettered': 0 });
  });

  it('counts it for its broadcast, once per event', async () => {
    const provider = new FakeProvider(['opted-out']);
    const { service, broadcastDelivery } = delivery(provider);
    const fromBroadcast = { ...message, headers: { 'nudges-broadcast-id': Buffer.from('b-42') } };
    await service.deliver(fromBroadcast, signal);
    expect(broadcastDelivery.receipts).toEqual([{ broadcastId: 'b-42', messageId: expect.stringMatching(/.+/), outcome: 'optedOut' }]);
  });
});
