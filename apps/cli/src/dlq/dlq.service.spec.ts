import { createDeadLetter, type DeadLetterInput } from '@app/shared/codec/dead-letter.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import { CliUsageError } from '../cli.errors.js';
import type { DeadLetterEntry } from './dead-letter-format.js';
import { DlqService, reasonMatches, timestampValue } from './dlq.service.js';
import { deadLetterId, originOf, reasonOf, replayTargetOf } from './replay-plan.js';

const record = (id: string, extra: Partial<DeadLetterInput> = {}) =>
  createDeadLetter({
    id,
    source: 'notifier',
    reasonCode: 'poison.invalid-json',
    reason: 'r',
    attempts: 1,
    failureType: 2,
    topic: 't',
    original: { topic: 't', key: null, value: 'x' },
    ...extra,
  }).record;
const entry = (id: string): DeadLetterEntry => ({ partition: 0, offset: '0', status: { state: 'none' }, record: record(id) });

const SEND_SMS =
  '{"$type":"notification.sendSms","PhoneNumber":"\\u002B15555550123","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}';
const csharp = (overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord => ({
  exceptionType: 'System.TimeoutException',
  exceptionMessage: 'The operation has timed out.',
  stackTrace: null,
  innerExceptionType: null,
  innerExceptionMessage: null,
  innerExceptionStackTrace: null,
  topic: 'notifications',
  eventKey: { type: 'MessageFailed', id: '0193d8a2-5b6c-7d8e-9f01-23456789abcd' },
  timestamp: '2025-12-18T10:11:12.1234567+00:00',
  originalKeyJson: '{"EventType":"SendSms"}',
  originalValueJson: SEND_SMS,
  originalHeaders: { traceparent: '00-ab', 'message-id': 'm-1' },
  attemptCount: 3,
  failureType: 1,
  ...overrides,
});

describe('dead-letter selection', () => {
  it.each([
    ['twilio.21211', 'twilio.21211', true],
    ['twilio.21211', 'twilio.21610', false],
    ['twilio.21211', 'twilio.*', true],
    ['poison.invalid-json', 'twilio.*', false],
    ['retries-exhausted', '*', true],
    ['twilio.21211', 'twilio', false],
    ['System.TimeoutException', 'System.*', true],
  ])('reason %s matches %s: %s', (code, pattern, expected) => {
    expect(reasonMatches(code, pattern)).toBe(expected);
  });

  it('finds by id or by an unambiguous prefix of at least 8 characters, in any case', () => {
    const entries = [
      entry('0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40'),
      entry('0b7c4e2a-1111-4d6b-8a21-5c3e7f9d1b40'),
      entry('9a7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40'),
    ];
    expect(DlqService.find(entries, '9a7c4e2a')?.record.eventKey.id).toBe('9a7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40');
    expect(DlqService.find(entries, '9A7C4E2A')).toBe(entries[2]);
    expect(DlqService.find(entries, '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40')).toBe(entries[0]);
    expect(DlqService.find(entries, '9a7c')).toBeUndefined();
    expect(() => DlqService.find(entries, '0b7c4e2a')).toThrow(CliUsageError);
  });

  it('tells ours from C#-written records and reads the id, reason and time of both', () => {
    const ours = record('0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40');
    expect([originOf(ours), deadLetterId(ours), reasonOf(ours)]).toEqual([
      'edge',
      '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40',
      'poison.invalid-json',
    ]);
    expect([originOf(csharp()), deadLetterId(csharp()), reasonOf(csharp())]).toEqual([
      'csharp',
      '0193d8a2-5b6c-7d8e-9f01-23456789abcd',
      'System.TimeoutException',
    ]);
    expect(timestampValue('2025-12-18T10:11:12.1234567+00:00')).toBeCloseTo(Date.UTC(2025, 11, 18, 10, 11, 12, 123) + 0.4567, 3);
    expect(timestampValue('2025-12-18T11:11:12.1+01:00')).toBe(Date.UTC(2025, 11, 18, 10, 11, 12, 100));
    expect(timestampValue('')).toBeNaN();
  });
});

describe('replay targets', () => {
  it('replays our Kafka originals byte for byte to their topic and Stripe webhook bodies through the handlers', () => {
    const kafka = replayTargetOf(
      record('0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40', {
        original: { topic: 't', key: null, value: Buffer.from([0xff]), headers: { h: Buffer.from([0x80]) } },
      }),
      'notifications',
    );
    expect(kafka).toMatchObject({
      kind: 'kafka',
      from: 'original',
      describe: 'topic t',
      message: { topic: 't', key: null, value: Buffer.from([0xff]), headers: { h: Buffer.from([0x80]) } },
    });

    const stripe = record('1b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40', {
      source: 'webhooks',
      topic: 'http:StripeWebhookHandler',
      stripeEventId: 'evt_1',
      original: { key: null, value: '{}' },
    });
    expect(replayTargetOf(stripe, 'notifications')).toMatchObject({ kind: 'stripe', eventId: 'evt_1', body: Buffer.from('{}') });
    const neither = record('2b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40', {
      source: 'webhooks',
      topic: 'http:StripeWebhookHandler',
      original: { key: null, value: '{}' },
    });
    expect(replayTargetOf(neither, 'notifications')).toEqual({
      kind: 'refused',
      why: 'neither an original topic nor a Stripe event to replay',
    });
  });

  it('replays a C# SendSms of the notifications topic from its JSON texts, headers as UTF-8', () => {
    const target = replayTargetOf(csharp(), 'notifications');
    expect(target).toEqual({
      kind: 'kafka',
      from: 'csharp-json',
      message: {
        topic: 'notifications',
        key: Buffer.from('{"EventType":"SendSms"}'),
        value: Buffer.from(SEND_SMS),
        headers: { traceparent: Buffer.from('00-ab'), 'message-id': Buffer.from('m-1') },
      },
      describe: 'topic notifications (SendSms to +*******0123, from OriginalKeyJson/OriginalValueJson)',
    });
    // The earlier generation: the recipient is the key's EventKey.
    const earlier = replayTargetOf(
      csharp({
        originalKeyJson: '{"EventType":"SendSms","EventKey":"\\u002B15555550123"}',
        originalValueJson: SEND_SMS.replace('"\\u002B15555550123"', 'null'),
        originalHeaders: null,
      }),
      'notifications',
    );
    expect(earlier).toMatchObject({ kind: 'kafka', message: { headers: {} } });
  });

  it.each([
    ['another topic', { topic: 'payments' }, 'its topic "payments" is not the notifications topic'],
    ['no value', { originalValueJson: null }, 'it has no OriginalValueJson'],
    [
      "C#'s placeholder for a value it could not serialize",
      { originalValueJson: '<serialization_failed: NotificationEvent>' },
      'is not a notification the notifier reads (invalid-json)',
    ],
    [
      'a client notification',
      { originalValueJson: '{"$type":"notification.clientCreated","ResourceKey":"ClientCreated","Locale":"en-US","Replacements":{}}' },
      'is a notification.clientCreated, which the notifier does not send',
    ],
    [
      'a SendSms without a recipient',
      { originalValueJson: SEND_SMS.replace('"\\u002B15555550123"', 'null') },
      'its SendSms names no recipient',
    ],
  ])('refuses a C# dead letter with %s', (_name, overrides, why) => {
    const target = replayTargetOf(csharp(overrides), 'notifications');
    expect(target.kind).toBe('refused');
    expect(target.kind === 'refused' && target.why).toContain(why);
    expect(target.kind === 'refused' && target.why).toMatch(
      /^written by a C# handler: .*; only a SendSms of notifications with a recipient is replayed$/,
    );
  });
});
