import { createDeadLetterRecord } from '@app/shared/codec/dead-letter.js';
import { eventIdentity } from '../../../notifier/src/dedupe/event-identity.js';
import { REPLAY_MESSAGE_ID_HEADER, REPLAYED_FROM_HEADER, replayHeaders } from './kafka-replayer.js';

const deadLetter = (headers: Record<string, Buffer | string>) =>
  createDeadLetterRecord({
    source: 'notifier',
    reasonCode: 'retries-exhausted',
    reason: 'Twilio unavailable',
    attempts: 5,
    original: { topic: 'notifications', partition: 0, offset: '1', key: '{"eventType":"SendSms"}', value: '{"$type":"notification.sendSms"}', headers },
  });

describe('replayHeaders', () => {
  it("keeps the original's headers byte for byte and names the dead letter", () => {
    const record = deadLetter({ traceparent: '00-ab-cd-01', 'x-bin': Buffer.from([0xff, 0x00, 0x80]) });
    const headers = replayHeaders(record);
    expect(headers.traceparent).toEqual(Buffer.from('00-ab-cd-01'));
    expect(headers['x-bin']).toEqual(Buffer.from([0xff, 0x00, 0x80]));
    expect(headers[REPLAYED_FROM_HEADER]?.toString()).toBe(record.id);
    expect(headers[REPLAY_MESSAGE_ID_HEADER]?.toString()).toBe(record.id);
  });

  it('gives every replay of one dead letter the same identity in the notifier, whenever it is produced', () => {
    const record = deadLetter({});
    const replay = (timestamp: string) => ({ headers: replayHeaders(record), timestamp, key: Buffer.from('{"eventType":"SendSms"}'), value: Buffer.from('{"$type":"notification.sendSms"}') });
    expect(eventIdentity(replay('1700000000000'))).toBe(eventIdentity(replay('1800000000000')));
    expect(eventIdentity(replay('1700000000000'))).not.toBe(eventIdentity({ ...replay('1700000000000'), headers: replayHeaders(deadLetter({})) }));
  });

  it("keeps a producer's message id, so the replay is the original event to the notifier", () => {
    const headers = replayHeaders(deadLetter({ 'message-id': 'evt-42' }));
    expect(headers[REPLAY_MESSAGE_ID_HEADER]).toBeUndefined();
    const original = { headers: { 'message-id': Buffer.from('evt-42') }, timestamp: '1', key: null, value: null };
    expect(eventIdentity({ ...original, headers })).toBe(eventIdentity(original));
  });

  it('keeps the message id of an earlier replay when a replay is dead-lettered and replayed again', () => {
    const first = deadLetter({});
    const second = deadLetter(Object.fromEntries(Object.entries(replayHeaders(first))));
    const headers = replayHeaders(second);
    expect(headers[REPLAY_MESSAGE_ID_HEADER]?.toString()).toBe(first.id);
    expect(headers[REPLAYED_FROM_HEADER]?.toString()).toBe(second.id);
  });
});
