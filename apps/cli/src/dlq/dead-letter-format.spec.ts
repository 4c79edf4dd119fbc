import fc from 'fast-check';
import { createDeadLetterRecord } from '@app/shared/codec/dead-letter.js';
import { displayBytes, entryJson, formatDetails, formatTable, safeText, type DeadLetterEntry } from './dead-letter-format.js';

const entry = (overrides: Partial<Parameters<typeof createDeadLetterRecord>[0]> = {}, status: DeadLetterEntry['status'] = { state: 'none' }): DeadLetterEntry => ({
  partition: 1,
  offset: '7',
  status,
  record: createDeadLetterRecord({
    id: '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40',
    source: 'notifier',
    reasonCode: 'twilio.21211',
    reason: 'Twilio refused the number',
    attempts: 1,
    failedAt: new Date('2026-03-04T05:06:07.089Z'),
    original: {
      topic: 'notifications',
      partition: 3,
      offset: '42',
      key: '{"eventType":"SendSms"}',
      value: '{"$type":"notification.sendSms","phoneNumber":"+15555550100","resourceKey":"WelcomeMessage","locale":"en-US","replacements":{}}',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-binary': Buffer.from([0xff, 0x00]) },
    },
    ...overrides,
  }),
});

describe('dead-letter display', () => {
  it('shows UTF-8 originals as text with phone numbers masked, other bytes only by size', () => {
    expect(displayBytes({ encoding: 'utf8', data: 'to +15555550100\nnow' })).toBe('to +*******0100\\nnow');
    expect(displayBytes({ encoding: 'base64', data: '/wB7fQ==' })).toBe('<4 bytes, not UTF-8>');
    expect(displayBytes(null, '(tombstone)')).toBe('(tombstone)');
  });

  it('shows every field of one dead letter, the original decoded', () => {
    const text = formatDetails(entry()).join('\n');
    expect(text).toContain('reason code:   twilio.21211');
    expect(text).toContain('original:      topic notifications, partition 3, offset 42');
    expect(text).toContain('"phoneNumber":"+*******0100"');
    expect(text).toContain('traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(text).toContain('x-binary: <2 bytes, not UTF-8>');
    expect(text).toContain('stored at:     partition 1, offset 7');
    expect(text).toContain('replayed:      no');
    expect(text).not.toContain('+15555550100');
  });

  it('lists one row per dead letter with its replay status', () => {
    const replayed = entry({ id: '1b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40' }, {
      state: 'replayed',
      record: { target: 'kafka', replayedAt: '2026-03-05T00:00:00.000Z', forced: false, topic: 'notifications', partition: 0, offset: '9' },
    });
    const [header, first, second] = formatTable([entry(), replayed]);
    expect(header).toMatch(/^ID\s+SOURCE\s+REASON\s+ATTEMPTS\s+FAILED AT\s+ORIGINAL\s+REPLAYED$/);
    expect(first).toMatch(/^0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40\s+notifier\s+twilio\.21211\s+1\s+2026-03-04T05:06:07\.089Z\s+notifications\[3\]@42\s+-$/);
    expect(second).toMatch(/2026-03-05T00:00:00\.000Z$/);
  });

  it('names a webhook dead letter by its Stripe event', () => {
    const stripe = entry({ source: 'webhooks', stripeEventId: 'evt_1', stripeEventType: 'checkout.session.completed', original: { key: null, value: '{"id":"evt_1"}' } });
    expect(formatTable([stripe])[1]).toContain('stripe evt_1');
    expect(formatDetails(stripe).join('\n')).toContain('(no topic: an HTTP request body)');
    expect(entryJson(stripe)).toMatchObject({ stripeEventId: 'evt_1', original: { topic: null, value: '{"id":"evt_1"}', valueEncoding: 'utf8' } });
  });

  it('never shows a whole phone number, wherever it hides in a dead letter', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.string(), (phone, noise) => {
        const e = entry({
          reason: `refused ${phone}`,
          original: { topic: 'notifications', key: `{"r":"${phone}"}`, value: `${noise} ${phone} ${noise}`, headers: { who: phone } },
        });
        const shown = [...formatDetails(e), ...formatTable([e]), JSON.stringify(entryJson(e))].join('\n');
        expect(shown).not.toContain(phone);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps one value on one line', () => {
    expect(safeText('a\r\nb\u0007')).toBe('a\\r\\nb\\u0007');
  });
});
