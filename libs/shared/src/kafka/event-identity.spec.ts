import fc from 'fast-check';
import { eventIdentity } from './event-identity.js';

const record = (value: string, timestamp = '1700000000000', headers = {}) => ({
  key: Buffer.from('{"eventType":"SendSms"}'),
  value: Buffer.from(value),
  timestamp,
  headers,
});

describe('eventIdentity', () => {
  it('is the same for the same record read again', () => {
    expect(eventIdentity(record('{"a":1}'))).toBe(eventIdentity(record('{"a":1}')));
  });

  it('differs for the same text produced at another time (a second login SMS)', () => {
    expect(eventIdentity(record('{"a":1}', '1700000000000'))).not.toBe(eventIdentity(record('{"a":1}', '1700000000001')));
  });

  it('uses a message-id header when there is one, whatever the bytes', () => {
    const a = eventIdentity(record('{"a":1}', '1', { 'message-id': 'evt-42' }));
    const b = eventIdentity(record('{"a":2}', '2', { 'message-id': Buffer.from('evt-42') }));
    expect(a).toBe(b);
    expect(a).not.toBe(eventIdentity(record('{"a":1}', '1', { 'message-id': 'evt-43' })));
  });

  it("is a broadcast's SendSms to one subscriber, however often and whenever Kafka holds it", () => {
    const copy = (timestamp: string, subscriber: string, phone = '+15550100', broadcast = 'b-1') => ({
      key: Buffer.from(`{"EventType":"SendSms","Recipient":"${subscriber}"}`),
      value: Buffer.from(`{"$type":"notification.sendSms","PhoneNumber":"${phone}"}`),
      timestamp,
      headers: { 'nudges-broadcast-id': Buffer.from(broadcast) },
    });
    expect(eventIdentity(copy('1', 's-1'))).toBe(eventIdentity(copy('2', 's-1')));
    expect(eventIdentity(copy('1', 's-1'))).not.toBe(eventIdentity(copy('1', 's-2')));
    expect(eventIdentity(copy('1', 's-1'))).not.toBe(eventIdentity(copy('1', 's-1', '+15550101')));
    expect(eventIdentity(copy('1', 's-1'))).not.toBe(eventIdentity(copy('1', 's-1', '+15550100', 'b-2')));
  });

  it('keeps key and value apart (no ambiguity from concatenation)', () => {
    const one = { key: Buffer.from('ab'), value: Buffer.from('c'), timestamp: '1', headers: {} };
    const two = { key: Buffer.from('a'), value: Buffer.from('bc'), timestamp: '1', headers: {} };
    expect(eventIdentity(one)).not.toBe(eventIdentity(two));
  });

  it('gives distinct records distinct identities', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { minLength: 2, maxLength: 20, selector: ([k, v]) => JSON.stringify([k, v]) }),
        (records) => {
          const ids = records.map(([k, v]) => eventIdentity({ key: Buffer.from(k), value: Buffer.from(v), timestamp: '5', headers: {} }));
          expect(new Set(ids).size).toBe(records.length);
        },
      ),
    );
  });
});
