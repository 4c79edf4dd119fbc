import { readLikeCSharpOrThrow } from '../../../../test/support/csharp/strict-reader.js';
import {
  createDeadLetter,
  decodeDeadLetter,
  decodeDeadLetterKey,
  decodeNotification,
  encodeDeadLetter,
  encodeDeadLetterKey,
  encodeHeaders,
  fromEncodedBytes,
  poisonReasonCode,
  twilioReasonCode,
} from './index.js';

const ID = '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40';

describe('createDeadLetter', () => {
  const value = Buffer.from([0x7b, 0xff, 0x7d]);
  const poison = () =>
    createDeadLetter({
      id: ID,
      source: 'notifier',
      reasonCode: 'poison.invalid-utf8',
      reason: 'value is not valid UTF-8 (3 bytes)',
      attempts: 0,
      failureType: 2,
      topic: 'notifications',
      original: {
        topic: 'notifications',
        partition: 0,
        offset: '9007199254740993',
        key: '{"EventType":"SendSms"}',
        value,
        headers: { traceparent: '00-ab-cd-01' },
      },
      failedAt: new Date('2025-01-02T03:04:05.006Z'),
    });

  it('writes the C# DeadLetterEvent members in their order, then ours (hand-written golden)', () => {
    const { key, record } = poison();
    expect(encodeDeadLetter(record)).toBe(
      '{"ExceptionType":"poison.invalid-utf8","ExceptionMessage":"value is not valid UTF-8 (3 bytes)","StackTrace":null,' +
        '"InnerExceptionType":null,"InnerExceptionMessage":null,"InnerExceptionStackTrace":null,"Topic":"notifications",' +
        `"EventKey":{"Type":"MessageFailed","Id":"${ID}"},"Timestamp":"2025-01-02T03:04:05.006Z",` +
        '"OriginalKeyJson":"{\\"EventType\\":\\"SendSms\\"}","OriginalValueJson":null,"OriginalHeaders":{"traceparent":"00-ab-cd-01"},' +
        '"AttemptCount":0,"FailureType":2,"Source":"notifier","ReasonCode":"poison.invalid-utf8",' +
        '"Original":{"Topic":"notifications","Partition":0,"Offset":"9007199254740993","Key":{"Encoding":"utf8","Data":"{\\"EventType\\":\\"SendSms\\"}"},' +
        '"Value":{"Encoding":"base64","Data":"e/99"},"Headers":{"traceparent":{"Encoding":"utf8","Data":"00-ab-cd-01"}}}}',
    );
    expect(key.eventKey).toEqual({ type: 'MessageFailed', id: ID });
    expect(key.failedKey.type).toBe('SendSms');
  });

  it('is read by the C# reader, and by ours byte-exact', () => {
    const { key, record } = poison();
    const json = encodeDeadLetter(record);
    // C#'s EventKey binds only Type (its one public constructor makes a new Id), so the Id does not survive there.
    expect(readLikeCSharpOrThrow('DeadLetterEvent', json)).toMatchObject({
      ExceptionType: 'poison.invalid-utf8',
      Topic: 'notifications',
      EventKey: { Type: 'MessageFailed' },
      AttemptCount: 0,
      FailureType: 2,
    });
    expect(readLikeCSharpOrThrow('DeadLetterEventKey', encodeDeadLetterKey(key))).toMatchObject({
      EventKey: { Type: 'MessageFailed' },
      FailedKey: { Type: 'SendSms' },
    });
    const decoded = decodeDeadLetter(Buffer.from(json));
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.value).toEqual(JSON.parse(JSON.stringify(record)));
    expect(fromEncodedBytes(decoded.value.edge!.original.value!).equals(value)).toBe(true);
    const decodedKey = decodeDeadLetterKey(encodeDeadLetterKey(key));
    expect(decodedKey.ok && decodedKey.value).toEqual(key);
  });

  it('records a webhook failure: no Kafka coordinates, the request body as the original value', () => {
    const { key, record } = createDeadLetter({
      source: 'webhooks',
      reasonCode: 'stripe.client-not-found',
      reason: 'no client for customer',
      attempts: 1,
      failureType: 2,
      topic: 'http:StripeWebhookHandler',
      failedKeyType: 'stripe:invoice.paid',
      stripeEventId: 'evt_123',
      stripeEventType: 'invoice.paid',
      original: { key: null, value: '{"id":"evt_123"}' },
    });
    expect(key.failedKey.type).toBe('stripe:invoice.paid');
    expect(record).toMatchObject({ originalKeyJson: null, originalValueJson: '{"id":"evt_123"}', originalHeaders: null });
    expect(encodeDeadLetter(record)).toContain(
      '"StripeEventId":"evt_123","StripeEventType":"invoice.paid","Original":{"Key":null,"Value":{"Encoding":"utf8","Data":"{\\"id\\":\\"evt_123\\"}"},"Headers":{}}}',
    );
  });

  it('refuses a record without a C# required member, or with broken properties of ours', () => {
    const json = encodeDeadLetter(poison().record);
    const withoutTopic = decodeDeadLetter(json.replace('"Topic":"notifications",', ''));
    expect(!withoutTopic.ok && withoutTopic.error.issues).toEqual([expect.stringMatching(/^Topic: /)]);
    const badSource = decodeDeadLetter(json.replace('"Source":"notifier"', '"Source":"cron"'));
    expect(!badSource.ok && badSource.error.issues).toEqual([expect.stringMatching(/^Source: /)]);
  });
});

describe('encodeHeaders', () => {
  it('keeps the last value of a repeated header, skips absent ones and keeps odd names', () => {
    const headers = encodeHeaders({ retry: ['1', Buffer.from([0xff])], none: undefined, nil: null, __proto__name: 'n' });
    expect(headers).toEqual({ retry: { encoding: 'base64', data: '/w==' }, __proto__name: { encoding: 'utf8', data: 'n' } });
    expect(Object.keys(encodeHeaders(Object.fromEntries([['__proto__', 'p']])))).toEqual(['__proto__']);
  });
});

describe('reason codes', () => {
  it('derives poison codes from decode errors and twilio codes from error numbers', () => {
    const failed = decodeNotification('nope');
    if (failed.ok) throw new Error('expected failure');
    expect(poisonReasonCode(failed.error)).toBe('poison.invalid-json');
    expect(twilioReasonCode(21211)).toBe('twilio.21211');
  });
});
