import fc from 'fast-check';
import {
  CLIENT_NOTIFICATION_TYPES,
  FIELD_ORDER,
  KNOWN_REASON_CODES,
  decodeAny,
  decodeDeadLetter,
  decodeForeignProduct,
  decodeNotification,
  decodePayment,
  encodeEvent,
  toEncodedBytes,
  type DecodeResult,
  type WireEvent,
} from './index.js';

const DECODE_ERROR_KINDS = ['invalid-utf8', 'invalid-json', 'not-an-object', 'missing-type', 'type-not-first', 'unknown-type', 'invalid-fields'];
const DECODERS = [decodeNotification, decodePayment, decodeForeignProduct, decodeDeadLetter, decodeAny];

// ---- arbitraries for valid events ----

const anyText = fc.string({ unit: 'binary', maxLength: 24 }); // includes lone surrogates
const nonEmptyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 24 });
const guid = fc.uuid({ version: 4 });
const trickyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$type', '$id', 'CamelCase', 'snake_case', 'ÜnïCödé', '日本', '0', '10', '', ' ');

const dictionary = <T>(value: fc.Arbitrary<T>) =>
  fc
    .uniqueArray(fc.tuple(fc.oneof(trickyKey, anyText), value), { selector: ([k]) => k, maxLength: 6 })
    .map((entries) => Object.fromEntries(entries) as Record<string, T>); // fromEntries defines own "__proto__"

const sendSms = fc.record({
  $type: fc.constant('notification.sendSms' as const),
  phoneNumber: nonEmptyText,
  resourceKey: nonEmptyText,
  locale: anyText,
  replacements: dictionary(anyText),
});

const clientNotification = fc.record({
  $type: fc.constantFrom(...CLIENT_NOTIFICATION_TYPES),
  resourceKey: nonEmptyText,
  locale: anyText,
  replacements: dictionary(anyText),
});

const payment = fc.record({
  $type: fc.constant('payment.completed' as const),
  clientId: guid,
  priceForeignServiceId: nonEmptyText,
  paymentConfirmationId: guid,
});

const nullableText = fc.option(anyText, { nil: null });
const productCreated = fc.record({
  $type: fc.constant('foreignProduct.created' as const),
  foreignProductId: nonEmptyText,
  name: anyText,
  description: nullableText,
  iconUrl: nullableText,
});
const productSynchronized = fc.record({
  $type: fc.constant('foreignProduct.synchronized' as const),
  planNodeId: nonEmptyText,
  foreignProductId: nonEmptyText,
  name: anyText,
  description: nullableText,
  iconUrl: nullableText,
});

const bytes = fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b));
const encodedBytes = fc.oneof(bytes, fc.string({ maxLength: 16 })).map((b) => toEncodedBytes(b));
const timestamp = fc
  .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), fc.constantFrom('Z', '+00:00', '+02:00', '-05:30'))
  .map(([date, offset]) => date.toISOString().replace('Z', offset));

const deadLetter = fc.record(
  {
    $type: fc.constant('deadletter.record' as const),
    id: guid,
    source: fc.constantFrom('notifier' as const, 'webhooks' as const),
    reasonCode: fc.oneof(fc.constantFrom(...KNOWN_REASON_CODES), fc.stringMatching(/^\S{1,30}$/)),
    reason: nonEmptyText,
    attempts: fc.nat(),
    failedAt: timestamp,
    stripeEventId: nonEmptyText,
    stripeEventType: nonEmptyText,
    original: fc.record(
      {
        topic: nonEmptyText,
        partition: fc.nat(),
        offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
        key: fc.option(encodedBytes, { nil: null }),
        value: fc.option(encodedBytes, { nil: null }),
        headers: dictionary(encodedBytes),
      },
      { requiredKeys: ['key', 'value', 'headers'] },
    ),
  },
  { requiredKeys: ['$type', 'id', 'source', 'reasonCode', 'reason', 'attempts', 'failedAt', 'original'] },
);

const anyEvent: fc.Arbitrary<WireEvent> = fc.oneof(sendSms, clientNotification, payment, productCreated, productSynchronized, deadLetter);

function mustDecode<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`);
  return result.value;
}

function expectTypedOutcome(run: () => DecodeResult<unknown>): void {
  let result: DecodeResult<unknown> | undefined;
  expect(() => (result = run())).not.toThrow();
  if (result && !result.ok) {
    expect(DECODE_ERROR_KINDS).toContain(result.error.kind);
    expect(typeof result.error.message).toBe('string');
  } else {
    expect(result?.ok).toBe(true);
  }
}

describe('codec properties', () => {
  it('every valid event survives encode → UTF-8 bytes → decode unchanged', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const wire = Buffer.from(encodeEvent(event), 'utf8');
        expect(mustDecode(decodeAny(wire))).toEqual(event);
      }),
    );
  });

  it('each topic decoder reads its own events', () => {
    const byFamily: [fc.Arbitrary<WireEvent>, (b: Buffer) => DecodeResult<WireEvent>][] = [
      [fc.oneof(sendSms, clientNotification), decodeNotification],
      [payment, decodePayment],
      [fc.oneof(productCreated, productSynchronized), decodeForeignProduct],
      [deadLetter, decodeDeadLetter],
    ];
    for (const [events, decode] of byFamily) {
      fc.assert(fc.property(events, (event) => expect(mustDecode(decode(Buffer.from(encodeEvent(event))))).toEqual(event)), { numRuns: 30 });
    }
  });

  it('$type is always the first property, and the fields follow FIELD_ORDER', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const json = encodeEvent(event);
        expect(json.startsWith(`{"$type":${JSON.stringify(event.$type)}`)).toBe(true);
        expect(mustDecode(decodeAny(json, { requireTypeFirst: true })).$type).toBe(event.$type);
        const written = Object.keys(JSON.parse(json) as object);
        expect(written).toEqual(FIELD_ORDER[event.$type].filter((f) => written.includes(f as string)));
      }),
    );
  });

  it('dictionary keys survive untouched, including __proto__-like ones, without polluting prototypes', () => {
    fc.assert(
      fc.property(sendSms, (event) => {
        const decoded = mustDecode(decodeNotification(encodeEvent(event)));
        if (decoded.$type !== 'notification.sendSms') throw new Error('wrong type');
        const given = Object.keys(event.replacements).sort();
        expect(Object.keys(decoded.replacements).sort()).toEqual(given);
        for (const key of given) {
          expect(Object.hasOwn(decoded.replacements, key)).toBe(true);
          expect(decoded.replacements[key]).toBe(event.replacements[key]);
        }
        expect(Object.getPrototypeOf(decoded.replacements)).toBeNull();
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
    );
  });

  it('encoding is canonical: re-encoding a decoded event gives the same text', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const json = encodeEvent(event);
        expect(encodeEvent(mustDecode(decodeAny(json)))).toBe(json);
      }),
    );
  });
});

describe('decoder fuzzing', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => DECODERS.forEach((d) => expectTypedOutcome(() => d(Buffer.from(raw))))));
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => DECODERS.forEach((d) => expectTypedOutcome(() => d(text)))));
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => DECODERS.forEach((d) => expectTypedOutcome(() => d(JSON.stringify(value))))));
  });

  it('never throws on objects with a real $type and random fields; whatever it accepts, it can write back', () => {
    const types = Object.keys(FIELD_ORDER);
    const fieldNames = fc.oneof(fc.constantFrom(...new Set(Object.values(FIELD_ORDER).flat() as string[])), trickyKey);
    const hostile = fc.tuple(fc.constantFrom(...types), fc.dictionary(fieldNames, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }));
    fc.assert(
      fc.property(hostile, ([type, fields]) => {
        const text = JSON.stringify({ $type: type, ...fields, ...(fields.$type === undefined ? {} : { $type: type }) });
        expectTypedOutcome(() => decodeAny(text));
        const result = decodeAny(text);
        if (result.ok) expect(mustDecode(decodeAny(encodeEvent(result.value)))).toEqual(result.value);
      }),
    );
  });

  it('never throws when one field of a valid event is replaced by any JSON value', () => {
    const mutated = fc.tuple(anyEvent, fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([event, pick, value]) => {
      const object = JSON.parse(encodeEvent(event)) as Record<string, unknown>;
      const names = Object.keys(object);
      object[names[pick % names.length]!] = value;
      return JSON.stringify(object);
    });
    fc.assert(fc.property(mutated, (text) => DECODERS.forEach((d) => expectTypedOutcome(() => d(text)))));
  });
});
