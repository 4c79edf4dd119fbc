import { randomUUID } from 'node:crypto';
import { eventIdentity } from '@app/shared/kafka/event-identity.js';
import { REPLAY_MESSAGE_ID_HEADER, REPLAYED_FROM_HEADER, replayHeaders } from './kafka-replayer.js';

const KEY = Buffer.from('{"EventType":"SendSms"}');
const VALUE = Buffer.from('{"$type":"notification.sendSms"}');

describe('replayHeaders', () => {
  it("keeps the original's headers byte for byte and names the dead letter", () => {
    const id = randomUUID();
    const headers = replayHeaders(id, { traceparent: Buffer.from('00-ab-cd-01'), 'x-bin': Buffer.from([0xff, 0x00, 0x80]) });
    expect(headers.traceparent).toEqual(Buffer.from('00-ab-cd-01'));
    expect(headers['x-bin']).toEqual(Buffer.from([0xff, 0x00, 0x80]));
    expect(headers[REPLAYED_FROM_HEADER]?.toString()).toBe(id);
    expect(headers[REPLAY_MESSAGE_ID_HEADER]?.toString()).toBe(id);
  });

  it('gives every replay of one dead letter the same identity in the notifier, whenever it is produced', () => {
    const id = randomUUID();
    const replay = (timestamp: string, deadLetterId = id) => ({
      headers: replayHeaders(deadLetterId, {}),
      timestamp,
      key: KEY,
      value: VALUE,
    });
    expect(eventIdentity(replay('1700000000000'))).toBe(eventIdentity(replay('1800000000000')));
    expect(eventIdentity(replay('1700000000000'))).not.toBe(eventIdentity(replay('1700000000000', randomUUID())));
  });

  it("keeps a producer's message id, so the replay is the original event to the notifier", () => {
    const headers = replayHeaders(randomUUID(), { 'message-id': Buffer.from('evt-42') });
    expect(headers[REPLAY_MESSAGE_ID_HEADER]).toBeUndefined();
    const original = { headers: { 'message-id': Buffer.from('evt-42') }, timestamp: '1', key: null, value: null };
    expect(eventIdentity({ ...original, headers })).toBe(eventIdentity(original));
  });

  it('keeps the message id of an earlier replay when a replay is dead-lettered and replayed again', () => {
    const first = randomUUID();
    const second = randomUUID();
    const headers = replayHeaders(second, replayHeaders(first, {}));
    expect(headers[REPLAY_MESSAGE_ID_HEADER]?.toString()).toBe(first);
    expect(headers[REPLAYED_FROM_HEADER]?.toString()).toBe(second);
  });

  it('does not change the headers it is given', () => {
    const original = { traceparent: Buffer.from('00-ab') };
    replayHeaders(randomUUID(), original);
    expect(Object.keys(original)).toEqual(['traceparent']);
  });
});
