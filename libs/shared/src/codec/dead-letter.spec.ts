import {
  createDeadLetterRecord,
  decodeDeadLetter,
  decodeNotification,
  encodeEvent,
  encodeHeaders,
  fromEncodedBytes,
  poisonReasonCode,
  twilioReasonCode,
} from './index.js';

describe('createDeadLetterRecord', () => {
  const value = Buffer.from([0x7b, 0xff, 0x7d]);

  it('keeps the original bytes exactly and fills in id and failedAt', () => {
    const record = createDeadLetterRecord({
      source: 'notifier',
      reasonCode: 'poison.invalid-utf8',
      reason: 'value is not valid UTF-8 (3 bytes)',
      attempts: 1,
      original: { topic: 'notifications', partition: 0, offset: '9007199254740993', key: '{"eventType":"SendSms"}', value, headers: { a: 'x' } },
      failedAt: new Date('2025-01-02T03:04:05.006Z'),
    });
    expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(record.failedAt).toBe('2025-01-02T03:04:05.006Z');

    const decoded = decodeDeadLetter(Buffer.from(encodeEvent(record)));
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.value).toEqual(record);
    expect(fromEncodedBytes(decoded.value.original.value!).equals(value)).toBe(true);
    expect(decoded.value.original.offset).toBe('9007199254740993');
  });

  it('records a tombstone and a webhook failure without Kafka coordinates', () => {
    const record = createDeadLetterRecord({
      source: 'webhooks',
      reasonCode: 'stripe.client-not-found',
      reason: 'no client for customer',
      attempts: 3,
      stripeEventId: 'evt_123',
      stripeEventType: 'invoice.paid',
      original: { key: null, value: null },
    });
    expect(record.original).toEqual({ key: null, value: null, headers: {} });
    expect(encodeEvent(record)).toContain('"stripeEventId":"evt_123","stripeEventType":"invoice.paid","original":{"key":null,"value":null,"headers":{}}}');
  });
});

describe('encodeHeaders', () => {
  it('keeps the last value of a repeated header, skips absent ones and keeps odd names', () => {
    const headers = encodeHeaders({ retry: ['1', Buffer.from([0xff])], none: undefined, nil: null, __proto__name: 'n' });
    expect(headers).toEqual({ retry: { encoding: 'base64', data: '/w==' }, __proto__name: { encoding: 'utf8', data: 'n' } });
    const withProto = encodeHeaders(Object.fromEntries([['__proto__', 'p']]));
    expect(Object.keys(withProto)).toEqual(['__proto__']);
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
