import { parseForm } from '../inbound/inbound-sms.js';
import { InvalidStatusCallbackError, broadcastOutcomeOf, isFinalStatus, toStatusCallback } from './message-status.js';

const SID = `SM${'a1'.repeat(16)}`;
const read = (body: string, query: Record<string, unknown> = {}) => toStatusCallback(parseForm(Buffer.from(body, 'utf8')), query);

describe('toStatusCallback', () => {
  it('reads the message, its status, error code and broadcast', () => {
    expect(read(`MessageSid=${SID}&MessageStatus=undelivered&ErrorCode=30007&SmsStatus=undelivered`, { broadcast: 'b-1' })).toMatchObject({
      messageSid: SID,
      status: 'undelivered',
      errorCode: 30007,
      broadcastId: 'b-1',
    });
    expect(read(`MessageSid=MM${'0'.repeat(32)}&MessageStatus=sent&ErrorCode=`)).toEqual({
      messageSid: `MM${'0'.repeat(32)}`,
      status: 'sent',
      params: expect.anything(),
    });
  });

  it('keeps a well-formed status it does not know as unknown', () => {
    expect(read(`MessageSid=${SID}&MessageStatus=teleported`).status).toBe('unknown');
  });

  it.each([
    ['MessageStatus=sent', 'MessageSid is missing or malformed'],
    [`MessageSid=SM123&MessageStatus=sent`, 'MessageSid is missing or malformed'],
    [`MessageSid=${SID}`, 'MessageStatus is missing or malformed'],
    [`MessageSid=${SID}&MessageStatus=Sent%3Cx%3E`, 'MessageStatus is missing or malformed'],
    [`MessageSid=${SID}&MessageStatus=sent&MessageStatus=delivered`, 'MessageStatus must appear once'],
    [`MessageSid=${SID}&MessageSid=${SID}&MessageStatus=sent`, 'MessageSid must appear once'],
    [`MessageSid=${SID}&MessageStatus=failed&ErrorCode=3e4`, 'ErrorCode is malformed'],
  ])('refuses %s', (body, message) => {
    expect(() => read(body)).toThrow(new InvalidStatusCallbackError(message));
  });

  it.each([[['a', 'b']], ['a b'], ['x'.repeat(129)], [{ a: '1' }]])('refuses the broadcast query parameter %p', (broadcast) => {
    expect(() => read(`MessageSid=${SID}&MessageStatus=sent`, { broadcast })).toThrow(
      new InvalidStatusCallbackError('broadcast is malformed'),
    );
  });
});

describe('final statuses', () => {
  it('are delivered, read, undelivered, failed and canceled, and count for a broadcast as delivered, undelivered or failed', () => {
    expect(['queued', 'sending', 'sent', 'accepted'].some((s) => isFinalStatus(s as never))).toBe(false);
    expect(
      (['delivered', 'read', 'undelivered', 'failed', 'canceled'] as const).map((s) => [isFinalStatus(s), broadcastOutcomeOf(s)]),
    ).toEqual([
      [true, 'delivered'],
      [true, 'delivered'],
      [true, 'undelivered'],
      [true, 'failed'],
      [true, 'failed'],
    ]);
  });
});
