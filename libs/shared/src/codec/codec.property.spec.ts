import fc from 'fast-check';
import { writeLikeCSharp } from '../../../../test/support/csharp/csharp-writer.js';
import { readLikeCSharpOrThrow } from '../../../../test/support/csharp/strict-reader.js';
import {
  CLIENT_NOTIFICATION_TYPES,
  KNOWN_REASON_CODES,
  createDeadLetter,
  decodeAny,
  decodeDeadLetter,
  decodeForeignProduct,
  decodeNotification,
  decodePayment,
  encodeDeadLetter,
  encodeEvent,
  type DecodeResult,
  type WritableEvent,
} from './index.js';

const DECODE_ERROR_KINDS = [
  'invalid-utf8',
  'invalid-json',
  'not-an-object',
  'missing-type',
  'type-not-first',
  'unknown-type',
  'invalid-fields',
];
const DECODERS = [decodeNotification, decodePayment, decodeForeignProduct, decodeDeadLetter, decodeAny];

// ---- arbitraries (well-formed text: System.Text.Json can neither write nor read a lone surrogate) ----

const anyText = fc.string({ unit: 'grapheme', maxLength: 24 });
const nonEmptyText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
const guid = fc.uuid({ version: 4 });
const trickyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  '$type',
  '$id',
  'CamelCase',
  'camelCase',
  'ÜnïCödé',
  '日本',
  '0',
  '10',
  '',
  ' ',
  '+1&<>',
);

const dictionary = fc
  .uniqueArray(fc.tuple(fc.oneof(trickyKey, anyText), anyText), { selector: ([k]) => k, maxLength: 6 })
  .map((entries) => Object.fromEntries(entries) as Record<string, string>);

const sendSms = fc.record({
  $type: fc.constant('notification.sendSms' as const),
  phoneNumber: nonEmptyText,
  resourceKey: nonEmptyText,
  locale: anyText,
  replacements: dictionary,
});
const payment = fc.record({
  $type: fc.constant('payment.completed' as const),
  clientId: guid,
  priceForeignServiceId: nonEmptyText,
  paymentConfirmationId: guid,
});
const nullableText = fc.option(anyText, { nil: null });
const product = { foreignProductId: nonEmptyText, name: anyText, description: nullableText, iconUrl: nullableText };
const productCreated = fc.record({ $type: fc.constant('foreignProduct.created' as const), ...product });
const productSynchronized = fc.record({ $type: fc.constant('foreignProduct.synchronized' as const), planNodeId: nonEmptyText, ...product });
const writable: fc.Arbitrary<WritableEvent> = fc.oneof(sendSms, payment, productCreated, productSynchronized);

const CSHARP_FAMILY = {
  'notification.sendSms': 'NotificationEvent',
  'payment.completed': 'PaymentEvent',
  'foreignProduct.created': 'ForeignProductEvent',
  'foreignProduct.synchronized': 'ForeignProductEvent',
} as const;
const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
/** The C# object an event of ours stands for (PascalCase members, same values). */
const asCSharp = (event: WritableEvent) => Object.fromEntries(Object.entries(event).map(([k, v]) => [k === '$type' ? k : pascal(k), v]));

function mustDecode<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`);
  return result.value;
}

describe('codec properties against the C# reader and writer', () => {
  it('whatever we write, C# reads back as the same values', () => {
    fc.assert(
      fc.property(writable, (event) => {
        const read = readLikeCSharpOrThrow(CSHARP_FAMILY[event.$type], encodeEvent(event));
        expect(JSON.parse(JSON.stringify(read))).toEqual(JSON.parse(JSON.stringify(asCSharp(event))));
      }),
    );
  });

  it('whatever C# writes, we read back as the same values', () => {
    fc.assert(
      fc.property(writable, (event) => {
        const csharpJson = writeLikeCSharp(CSHARP_FAMILY[event.$type], asCSharp(event));
        expect(JSON.parse(JSON.stringify(mustDecode(decodeAny(Buffer.from(csharpJson)))))).toEqual(JSON.parse(JSON.stringify(event)));
      }),
    );
  });

  it('client notifications written by C# are recognised with their type', () => {
    const clientNotification = fc.record({
      $type: fc.constantFrom(...CLIENT_NOTIFICATION_TYPES),
      ResourceKey: nonEmptyText,
      Locale: anyText,
      Replacements: dictionary,
    });
    fc.assert(
      fc.property(clientNotification, (n) =>
        expect(mustDecode(decodeNotification(writeLikeCSharp('NotificationEvent', n))).$type).toBe(n.$type),
      ),
    );
  });

  it('encoding is canonical: re-encoding a decoded event gives the same text', () => {
    fc.assert(
      fc.property(writable, (event) => {
        const json = encodeEvent(event);
        expect(encodeEvent(mustDecode(decodeAny(json)) as WritableEvent)).toBe(json);
      }),
    );
  });

  it('our dead letters bind in C# (required members present) and keep the original bytes', () => {
    const input = fc.record({
      reasonCode: fc.oneof(fc.constantFrom(...KNOWN_REASON_CODES), fc.stringMatching(/^\S{1,30}$/)),
      reason: nonEmptyText,
      attempts: fc.nat({ max: 100 }),
      key: fc.option(
        fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b)),
        { nil: null },
      ),
      value: fc.option(
        fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b)),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(input, (i) => {
        const { record } = createDeadLetter({
          source: 'notifier',
          ...i,
          failureType: 2,
          topic: 'notifications',
          original: { topic: 'notifications', key: i.key, value: i.value },
        });
        const json = encodeDeadLetter(record);
        expect(readLikeCSharpOrThrow('DeadLetterEvent', json)).toMatchObject({
          ExceptionType: i.reasonCode,
          Topic: 'notifications',
          AttemptCount: i.attempts,
          FailureType: 2,
        });
        expect(mustDecode(decodeDeadLetter(json))).toEqual(JSON.parse(JSON.stringify(record)));
      }),
    );
  });
});

describe('decoder fuzzing', () => {
  function expectTypedOutcome(run: () => DecodeResult<unknown>): void {
    let result: DecodeResult<unknown> | undefined;
    expect(() => (result = run())).not.toThrow();
    if (result && !result.ok) expect(DECODE_ERROR_KINDS).toContain(result.error.kind);
  }

  it('never throws on arbitrary bytes, strings or JSON values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => DECODERS.forEach((d) => expectTypedOutcome(() => d(Buffer.from(raw))))),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => DECODERS.forEach((d) => expectTypedOutcome(() => d(text)))),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => DECODERS.forEach((d) => expectTypedOutcome(() => d(JSON.stringify(value))))),
    );
  });

  it('never throws when one property of a valid message is replaced by any JSON value; what it accepts, it can write back', () => {
    const mutated = fc.tuple(writable, fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([event, pick, value]) => {
      const object = JSON.parse(encodeEvent(event)) as Record<string, unknown>;
      const names = Object.keys(object).filter((n) => n !== '$type');
      object[names[pick % names.length]!] = value;
      return JSON.stringify(object);
    });
    fc.assert(
      fc.property(mutated, (text) => {
        DECODERS.forEach((d) => expectTypedOutcome(() => d(text)));
        const result = decodeAny(text);
        // Read-only shapes: client traffic, and the earlier SendSms generation (no PhoneNumber), which we never write.
        const readOnly =
          !result.ok ||
          result.value.$type.startsWith('client.') ||
          CLIENT_NOTIFICATION_TYPES.includes(result.value.$type as never) ||
          ('phoneNumber' in result.value && result.value.phoneNumber === null);
        if (!readOnly) {
          expect(() => encodeEvent(result.value as WritableEvent)).not.toThrow();
        }
      }),
    );
  });
});
