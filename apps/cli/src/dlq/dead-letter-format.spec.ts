import fc from 'fast-check';
import { createDeadLetter, decodeDeadLetter, encodeDeadLetter, type DeadLetterInput } from '@app/shared/codec/dead-letter.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import { displayBytes, entryJson, formatDetails, formatTable, safeText, type DeadLetterEntry } from './dead-letter-format.js';
import { replayTargetOf } from './replay-plan.js';

const ID = '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40';
const CSHARP_ID = '0193d8a2-5b6c-7d8e-9f01-23456789abcd';

const ours = (overrides: Partial<DeadLetterInput> = {}): DeadLetterRecord =>
  createDeadLetter({
    id: ID,
    source: 'notifier',
    reasonCode: 'twilio.21211',
    reason: 'Twilio refused the number',
    attempts: 1,
    failureType: 2,
    topic: 'notifications',
    failedAt: new Date('2026-03-04T05:06:07.089Z'),
    original: {
      topic: 'notifications',
      partition: 3,
      offset: '42',
      key: '{"EventType":"SendSms"}',
      value:
        '{"$type":"notification.sendSms","PhoneNumber":"+15555550100","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-binary': Buffer.from([0xff, 0x00]) },
    },
    ...overrides,
  }).record;

const STACK = Array.from(
  { length: 12 },
  (_, i) => `   at Nudges.Notifications.Handler${i}.HandleAsync(SendSmsNotificationEvent evt) in /src/Handler.cs:line ${40 + i}`,
).join('\n');

/** A C# handler's record, as decoded from the bytes System.Text.Json writes. */
const csharp = (overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord => ({
  exceptionType: 'Twilio.Exceptions.ApiException',
  exceptionMessage: "The 'To' number +15555550123 is not a valid phone number.",
  stackTrace: STACK,
  innerExceptionType: 'System.Net.Http.HttpRequestException',
  innerExceptionMessage: 'POST https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json with password=hunter2 for 5555550123',
  innerExceptionStackTrace: '   at System.Net.Http.HttpClient.SendAsync()\n   at Twilio.Http.SystemNetHttpClient.MakeRequestAsync()',
  topic: 'notifications',
  eventKey: { type: 'MessageFailed', id: CSHARP_ID },
  timestamp: '2025-12-18T10:11:12.1234567+00:00',
  originalKeyJson: '{"EventType":"SendSms"}',
  originalValueJson:
    '{"$type":"notification.sendSms","PhoneNumber":"\\u002B15555550123","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}',
  originalHeaders: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', Authorization: 'Bearer abcdefghijklmnop' },
  attemptCount: 3,
  failureType: 2,
  ...overrides,
});

const entry = (
  record: DeadLetterRecord,
  status: DeadLetterEntry['status'] = { state: 'none' },
  key?: DeadLetterEntry['key'],
): DeadLetterEntry => ({
  partition: 1,
  offset: '7',
  status,
  record,
  ...(key ? { key } : {}),
});

describe('dead-letter display', () => {
  it('shows UTF-8 originals as text with phone numbers masked, other bytes only by size', () => {
    expect(displayBytes({ encoding: 'utf8', data: 'to +15555550100\nnow' })).toBe('to +*******0100\\nnow');
    expect(displayBytes({ encoding: 'base64', data: '/wB7fQ==' })).toBe('<4 bytes, not UTF-8>');
    expect(displayBytes(null, '(tombstone)')).toBe('(tombstone)');
  });

  it('shows every field of one of our dead letters, the original decoded', () => {
    const text = formatDetails(entry(ours())).join('\n');
    expect(text).toContain(`id:            ${ID}`);
    expect(text).toContain('origin:        edge (written by this project)');
    expect(text).toContain('reason code:   twilio.21211');
    expect(text).toContain('failure type:  2 (Permanent)');
    expect(text).toContain('original:      topic notifications, partition 3, offset 42');
    expect(text).toContain('"PhoneNumber":"+*******0100"');
    expect(text).toContain('traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(text).toContain('x-binary: <2 bytes, not UTF-8>');
    expect(text).toContain('stored at:     partition 1, offset 7');
    expect(text).toContain('replayed:      no');
    expect(text).not.toContain('+15555550100');
  });

  it('shows a C# dead letter: exception masked, stack traces only counted, the JSON originals masked', () => {
    const key = { eventKey: { type: 'MessageFailed', id: CSHARP_ID }, failedKey: { type: 'NotificationKey(EventType=SendSms)', id: ID } };
    const record = csharp();
    const lines = formatDetails(entry(record, { state: 'none' }, key), replayTargetOf(record, 'notifications'));
    expect(lines).toEqual([
      `id:            ${CSHARP_ID}`,
      'origin:        csharp (written by a C# handler)',
      'exception:     Twilio.Exceptions.ApiException',
      "message:       The 'To' number +*******0123 is not a valid phone number.",
      'stack trace:   (stack trace omitted, 12 lines)',
      'inner:         System.Net.Http.HttpRequestException',
      'inner message: POST https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json with password=[REDACTED] for ******0123',
      'inner stack:   (stack trace omitted, 2 lines)',
      'failure type:  2 (Permanent)',
      'attempts:      3',
      'failed at:     2025-12-18T10:11:12.1234567+00:00',
      'topic:         notifications',
      'failed key:    NotificationKey(EventType=SendSms)',
      'stored at:     partition 1, offset 7',
      'original:      as the C# handler re-serialized it (OriginalKeyJson, OriginalValueJson, OriginalHeaders)',
      '  key:         {"EventType":"SendSms"}',
      '  value:       {"$type":"notification.sendSms","PhoneNumber":"\\u002B*******0123","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}',
      '  headers:',
      '    traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '    Authorization: [REDACTED]',
      'replay:        to topic notifications (SendSms to +*******0123, from OriginalKeyJson/OriginalValueJson)',
      'replayed:      no',
    ]);
  });

  it('cuts stack frames a C# exception message carries in itself', () => {
    const record = csharp({
      exceptionMessage: `Handler failed\n${STACK}\n--- End of stack trace from previous location ---`,
      innerExceptionType: null,
      innerExceptionMessage: null,
      innerExceptionStackTrace: null,
    });
    const text = formatDetails(entry(record)).join('\n');
    expect(text).toContain('message:       Handler failed (stack trace omitted, 13 lines)');
    expect(text).not.toMatch(/\bat Nudges\./);
    expect(text).not.toContain('inner');
  });

  it('lists one row per dead letter with its origin and replay status', () => {
    const replayed = ours({ id: '1b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40' });
    const status = {
      state: 'replayed' as const,
      record: {
        target: 'kafka' as const,
        replayedAt: '2026-03-05T00:00:00.000Z',
        forced: false,
        topic: 'notifications',
        partition: 0,
        offset: '9',
      },
    };
    const [header, first, second, third] = formatTable([entry(ours()), entry(replayed, status), entry(csharp())]);
    expect(header).toMatch(/^ID\s+ORIGIN\s+SOURCE\s+REASON\s+ATTEMPTS\s+FAILED AT\s+ORIGINAL\s+REPLAYED$/);
    expect(first).toMatch(
      new RegExp(`^${ID}\\s+edge\\s+notifier\\s+twilio\\.21211\\s+1\\s+2026-03-04T05:06:07\\.089Z\\s+notifications\\[3\\]@42\\s+-$`),
    );
    expect(second).toMatch(/2026-03-05T00:00:00\.000Z$/);
    expect(third).toMatch(
      new RegExp(
        `^${CSHARP_ID}\\s+csharp\\s+-\\s+Twilio\\.Exceptions\\.ApiException\\s+3\\s+2025-12-18T10:11:12\\.1234567\\+00:00\\s+notifications\\s+-$`,
      ),
    );
  });

  it('names a webhook dead letter by its Stripe event', () => {
    const stripe = ours({
      source: 'webhooks',
      reasonCode: 'stripe.client-not-found',
      topic: 'http:StripeWebhookHandler',
      stripeEventId: 'evt_1',
      stripeEventType: 'checkout.session.completed',
      original: { key: null, value: '{"id":"evt_1"}' },
    });
    expect(formatTable([entry(stripe)])[1]).toContain('stripe evt_1');
    const text = formatDetails(entry(stripe)).join('\n');
    expect(text).toContain('(no topic: an HTTP request body)');
    expect(text).toContain('topic:         http:StripeWebhookHandler');
    expect(entryJson(entry(stripe))).toMatchObject({
      origin: 'edge',
      stripeEventId: 'evt_1',
      original: { topic: null, value: '{"id":"evt_1"}', valueEncoding: 'utf8' },
    });
  });

  it('gives both origins as JSON with the same masking', () => {
    const json = entryJson(entry(csharp()), replayTargetOf(csharp({ topic: 'payments' }), 'notifications'));
    expect(json).toMatchObject({
      id: CSHARP_ID,
      origin: 'csharp',
      source: null,
      reasonCode: 'Twilio.Exceptions.ApiException',
      reason: "The 'To' number +*******0123 is not a valid phone number.",
      stackTrace: '(stack trace omitted, 12 lines)',
      innerExceptionStackTrace: '(stack trace omitted, 2 lines)',
      failedAt: '2025-12-18T10:11:12.1234567+00:00',
      original: { topic: 'notifications', partition: null, valueEncoding: 'utf8', headers: { Authorization: '[REDACTED]' } },
      replay: { refused: expect.stringContaining('is not the notifications topic') },
    });
    const text = JSON.stringify(json);
    expect(text).not.toContain('5555550123');
    expect(text).not.toContain('at System.');
    expect(text).not.toContain('hunter2');
  });

  it('never shows a whole phone number, wherever it hides in one of our dead letters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.string(), (phone, noise) => {
        const e = entry(
          ours({
            reason: `refused ${phone}`,
            original: { topic: 'notifications', key: `{"r":"${phone}"}`, value: `${noise} ${phone} ${noise}`, headers: { who: phone } },
          }),
        );
        const shown = [...formatDetails(e), ...formatTable([e]), JSON.stringify(entryJson(e))].join('\n');
        expect(shown).not.toContain(phone);
      }),
      { numRuns: 200 },
    );
  });

  it('never shows a whole phone number or a stack frame of a C# dead letter, in any form it arrives', () => {
    const escapedPlus = (phone: string) => phone.replace('+', '\\u002B');
    const formats = [(p: string) => p, escapedPlus, (p: string) => p.slice(1)];
    fc.assert(
      fc.property(
        fc.stringMatching(/^\+[1-9]\d{9,14}$/),
        fc.constantFrom(...formats),
        fc.string({ maxLength: 20 }).filter((s) => !/\d/.test(s)),
        (phone, form, noise) => {
          const written = form(phone);
          const record = csharp({
            exceptionMessage: `${noise}${written}${noise}`,
            stackTrace: `   at A.B(String phone = ${written})`,
            innerExceptionMessage: `to ${written}\n   at C.D()`,
            originalKeyJson: `{"EventType":"SendSms","EventKey":"${written}"}`,
            originalValueJson: `{"$type":"notification.sendSms","PhoneNumber":"${written}"}`,
            originalHeaders: { who: written },
          });
          const e = entry(record);
          const shown = [
            ...formatDetails(e, replayTargetOf(record, 'notifications')),
            ...formatTable([e]),
            JSON.stringify(entryJson(e)),
          ].join('\n');
          expect(shown).not.toContain(phone.slice(1));
          expect(shown).not.toMatch(/\bat [A-C]\./);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps one value on one line', () => {
    expect(safeText('a\r\nb\u0007')).toBe('a\\r\\nb\\u0007');
  });

  it('reads a record written by our codec back with its id', () => {
    const decoded = decodeDeadLetter(encodeDeadLetter(ours()));
    expect(decoded.ok && decoded.value.eventKey.id).toBe(ID);
  });
});
