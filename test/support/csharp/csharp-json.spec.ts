import { createDecipheriv } from 'node:crypto';

import fc from 'fast-check';

import { CSHARP_NEW_GUID_V7, CSHARP_UTC_NOW, CSharpException, GUID_EMPTY, type CsObject, type CsTypeName } from './csharp-types.js';
import { escapeLikeCSharp, jsonStringLikeCSharp, writeLikeCSharp } from './csharp-writer.js';
import { readLikeCSharp, readLikeCSharpOrThrow } from './strict-reader.js';
import {
  CSHARP_VECTORS,
  SEND_SMS_EARLIER,
  TEST_ENCRYPTION_KEY_BASE64,
  TEST_PHONE_ENCRYPTED,
  TEST_PHONE_PLAINTEXT,
  type WireVector,
} from './vectors.js';

const read = (type: CsTypeName, json: string) => readLikeCSharpOrThrow(type, json);
const errorOf = (type: CsTypeName, json: string) => {
  const result = readLikeCSharp(type, json);
  if (result.ok) throw new Error(`expected ${type} to fail on ${json}`);
  return result.error;
};

// C# never binds EventKey.Id (see csharp-types.ts), so a read shows the constructor's fresh Guid.
function viewAfterCSharpRead(vector: WireVector): CsObject {
  const regenerated = (key: unknown) => ({ ...(key as CsObject), Id: CSHARP_NEW_GUID_V7 });
  const { csharp } = vector;
  if (vector.type === 'DeadLetterEventKey')
    return { EventKey: regenerated(csharp['EventKey']), FailedKey: regenerated(csharp['FailedKey']) };
  if (vector.type === 'DeadLetterEvent') return { ...csharp, EventKey: regenerated(csharp['EventKey']) };
  return csharp;
}

const sendSms = (members: string) => `{"$type":"notification.sendSms",${members}}`;
const DLQ_REQUIRED = '"ExceptionType":"E","ExceptionMessage":"m","Topic":"t","EventKey":{"Type":"MessageFailed","Id":"' + GUID_EMPTY + '"}';

describe('golden vectors', () => {
  it.each(CSHARP_VECTORS.map((v) => [v.name, v] as const))('%s: the writer reproduces key and value byte for byte', (_name, vector) => {
    expect(writeLikeCSharp(vector.key.type, vector.key.csharp)).toBe(vector.key.json);
    expect(writeLikeCSharp(vector.value.type, vector.value.csharp)).toBe(vector.value.json);
  });

  it.each(CSHARP_VECTORS.map((v) => [v.name, v] as const))('%s: the reader yields the C# object', (_name, vector) => {
    expect(read(vector.key.type, vector.key.json)).toEqual(viewAfterCSharpRead(vector.key));
    expect(read(vector.value.type, vector.value.json)).toEqual(viewAfterCSharpRead(vector.value));
  });

  it('every vector is pure ASCII JSON that JSON.parse reads as the C# object', () => {
    for (const v of CSHARP_VECTORS) {
      for (const { json, csharp } of [v.key, v.value]) {
        expect(json).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(json)).toEqual(csharp);
      }
    }
  });

  it('the encrypted phone decrypts with the test key (nonce || tag || ciphertext)', () => {
    const blob = Buffer.from(TEST_PHONE_ENCRYPTED, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(TEST_ENCRYPTION_KEY_BASE64, 'base64'), blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    expect(Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8')).toBe(TEST_PHONE_PLAINTEXT);
  });

  it('a current C# reader sees an earlier-generation SendSms with PhoneNumber null and ignores the key EventKey', () => {
    expect(read('NotificationEvent', SEND_SMS_EARLIER.value.json)).toMatchObject({ PhoneNumber: null, ResourceKey: 'AnnouncementSent' });
    expect(read('NotificationKey', SEND_SMS_EARLIER.key.json)).toEqual({ EventType: 'SendSms' });
  });
});

describe('strict reader: names and metadata', () => {
  it('matches names case-sensitively: "phoneNumber" leaves PhoneNumber null', () => {
    expect(read('NotificationEvent', sendSms('"phoneNumber":"+1555","ResourceKey":"K"'))).toEqual({
      $type: 'notification.sendSms',
      PhoneNumber: null,
      ResourceKey: 'K',
      Locale: null,
      Replacements: null,
    });
  });

  it('a camelCase Guid member stays Guid.Empty', () => {
    expect(read('ClientKey', '{"clientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59"}')).toEqual({ ClientId: GUID_EMPTY });
  });

  it('rejects $type that is not the first property', () => {
    expect(errorOf('NotificationEvent', '{"ResourceKey":"K","$type":"notification.sendSms"}').exception).toBe('NotSupportedException');
    expect(errorOf('NotificationEvent', '{"$id":"1","$type":"notification.sendSms"}').exception).toBe('JsonException');
  });

  it('rejects a missing, duplicate, non-string or unknown $type', () => {
    expect(errorOf('NotificationEvent', '{}').exception).toBe('NotSupportedException');
    expect(errorOf('NotificationEvent', sendSms('"$type":"notification.sendSms"')).exception).toBe('JsonException');
    expect(errorOf('NotificationEvent', '{"$type":1}').exception).toBe('JsonException');
    const unknown = errorOf('NotificationEvent', '{"$type":"notification.sendSMS"}');
    expect(unknown).toMatchObject({ exception: 'JsonException', path: '$.$type' });
    expect(errorOf('PaymentEvent', '{"$type":"notification.sendSms"}').exception).toBe('JsonException');
  });

  it('rejects any other $-named property in a polymorphic object, but ignores it in a plain one', () => {
    expect(errorOf('NotificationEvent', sendSms('"$extra":1')).exception).toBe('JsonException');
    expect(read('NotificationKey', '{"$type":"x","$extra":1,"EventType":"SendSms"}')).toEqual({ EventType: 'SendSms' });
  });

  it('unescapes names, metadata names and discriminators', () => {
    expect(read('NotificationEvent', String.raw`{"\u0024type":"notification\u002EsendSms","\u0050honeNumber":"\u002B1\/2"}`)).toMatchObject(
      {
        $type: 'notification.sendSms',
        PhoneNumber: '+1/2',
      },
    );
  });

  it('ignores unknown properties without reading their values', () => {
    const json = sendSms(String.raw`"Extra":{"deep":[1,2,{"x":"\uD800"}]},"Lone":"\uDC00","PhoneNumber":"+1"`);
    expect(read('NotificationEvent', json)).toMatchObject({ PhoneNumber: '+1' });
  });

  it('takes the last of duplicate members and dictionary keys', () => {
    const json = sendSms('"PhoneNumber":"+1","PhoneNumber":"+2","Replacements":{"a":"1","b":"2","a":"3"}');
    const view = read('NotificationEvent', json)!;
    expect(view['PhoneNumber']).toBe('+2');
    expect(Object.entries(view['Replacements'] as object)).toEqual([
      ['a', '3'],
      ['b', '2'],
    ]);
  });
});

describe('strict reader: member values', () => {
  it.each([
    ['{"ClientId":"3F2A8C1E-5B7D-4E21-9C0A-6D1F2E3B4A59"}', '3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59'],
    [String.raw`{"ClientId":"3f2a8c1e\u002D5b7d-4e21-9c0a-6d1f2e3b4a59"}`, '3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59'],
  ])('reads a D-format Guid in any case, escaped or not: %s', (json, guid) => {
    expect(read('ClientKey', json)).toEqual({ ClientId: guid });
  });

  it.each([
    '{"ClientId":"3f2a8c1e5b7d4e219c0a6d1f2e3b4a59"}',
    '{"ClientId":"{3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59}"}',
    '{"ClientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a5"}',
    '{"ClientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a5g"}',
    '{"ClientId":" 3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59"}',
    '{"ClientId":null}',
    '{"ClientId":42}',
  ])('rejects a malformed Guid: %s', (json) => {
    expect(errorOf('ClientKey', json)).toMatchObject({ exception: 'JsonException', path: '$.ClientId' });
  });

  it('rejects wrong token types for strings and dictionaries', () => {
    expect(errorOf('NotificationKey', '{"EventType":1}').exception).toBe('JsonException');
    expect(errorOf('NotificationKey', '{"EventType":["SendSms"]}').exception).toBe('JsonException');
    expect(errorOf('NotificationEvent', sendSms('"Replacements":{"count":47}'))).toMatchObject({ path: '$.Replacements.count' });
    expect(errorOf('NotificationEvent', sendSms('"Replacements":[]')).exception).toBe('JsonException');
  });

  it('accepts null for strings, dictionaries and dictionary values', () => {
    expect(read('NotificationEvent', sendSms('"PhoneNumber":null,"Replacements":{"a":null}'))).toMatchObject({
      PhoneNumber: null,
      Replacements: { a: null },
    });
    expect(read('NotificationEvent', sendSms('"Replacements":null'))).toMatchObject({ Replacements: null });
  });

  it.each(['3.0', '1e1', '"3"', '2147483648', 'null', 'true'])('rejects AttemptCount %s', (count) => {
    expect(errorOf('DeadLetterEvent', `{${DLQ_REQUIRED},"AttemptCount":${count}}`)).toMatchObject({
      exception: 'JsonException',
      path: '$.AttemptCount',
    });
  });

  it('reads int32 bounds and keeps undefined enum values; rejects enum names', () => {
    const view = read('DeadLetterEvent', `{${DLQ_REQUIRED},"AttemptCount":-2147483648,"FailureType":7}`)!;
    expect(view).toMatchObject({ AttemptCount: -2147483648, FailureType: 7 });
    expect(errorOf('DeadLetterEvent', `{${DLQ_REQUIRED},"FailureType":"Permanent"}`).exception).toBe('JsonException');
  });

  it('decodes every JSON escape', () => {
    const json = String.raw`{"EventType":"\"\\\/\b\f\n\r\t\u00e9\u00C9\uD83C\uDF89"}`;
    expect(read('NotificationKey', json)).toEqual({ EventType: '"\\/\b\f\n\r\téÉ\u{1F389}' });
  });

  it('rejects a bound string holding a lone surrogate escape', () => {
    expect(errorOf('NotificationKey', String.raw`{"EventType":"\uD83C"}`).exception).toBe('JsonException');
    expect(errorOf('NotificationKey', String.raw`{"\uDC00":"x"}`).exception).toBe('JsonException');
  });

  it('normalizes DateTimeOffset to the form C# writes, and rejects non-ISO text', () => {
    const at = (t: string) => read('DeadLetterEvent', `{${DLQ_REQUIRED},"Timestamp":"${t}"}`)!['Timestamp'];
    expect(at('2025-12-18T10:00:00Z')).toBe('2025-12-18T10:00:00+00:00');
    expect(at('2025-12-18T10:00:00.120000000+02:00')).toBe('2025-12-18T10:00:00.12+02:00');
    expect(at('2025-12-18')).toBe('2025-12-18T00:00:00+00:00');
    for (const bad of ['2025-02-30T10:00:00Z', '18/12/2025', '2025-12-18 10:00:00Z', '2025-12-18T24:00:00Z']) {
      expect(errorOf('DeadLetterEvent', `{${DLQ_REQUIRED},"Timestamp":"${bad}"}`).path).toBe('$.Timestamp');
    }
  });
});

describe('strict reader: DeadLetterEvent and EventKey', () => {
  it.each(['ExceptionType', 'ExceptionMessage', 'Topic', 'EventKey'])('throws JsonException when required %s is missing', (name) => {
    const members = DLQ_REQUIRED.replace(new RegExp(`"${name}":("[^"]*"|\\{[^}]*\\}),?`), '').replace(/,$/, '');
    const error = errorOf('DeadLetterEvent', `{${members}}`);
    expect(error.exception).toBe('JsonException');
    expect(error.message).toContain(`'${name}'`);
  });

  it('accepts a required member present as null, and fills the others with C# defaults', () => {
    expect(read('DeadLetterEvent', '{"ExceptionType":null,"ExceptionMessage":"m","Topic":"t","EventKey":null}')).toEqual({
      ExceptionType: null,
      ExceptionMessage: 'm',
      StackTrace: null,
      InnerExceptionType: null,
      InnerExceptionMessage: null,
      InnerExceptionStackTrace: null,
      Topic: 't',
      EventKey: null,
      Timestamp: CSHARP_UTC_NOW,
      OriginalKeyJson: null,
      OriginalValueJson: null,
      OriginalHeaders: null,
      AttemptCount: 0,
      FailureType: 0,
    });
  });

  it('never binds EventKey.Id, even a malformed one', () => {
    expect(read('EventKey', '{"Type":"MessageFailed","Id":"not-a-guid"}')).toEqual({ Type: 'MessageFailed', Id: CSHARP_NEW_GUID_V7 });
  });

  it("throws the EventKey constructor's ArgumentException for a missing or blank Type", () => {
    expect(errorOf('EventKey', '{"Id":"' + GUID_EMPTY + '"}').exception).toBe('ArgumentNullException');
    expect(errorOf('DeadLetterEventKey', '{"EventKey":{"Type":" \\t"}}')).toMatchObject({
      exception: 'ArgumentException',
      path: '$.EventKey',
    });
  });

  it('keeps EventKey.Empty for keys the JSON lacks', () => {
    expect(read('DeadLetterEventKey', '{}')).toEqual({
      EventKey: { Type: 'Empty', Id: GUID_EMPTY },
      FailedKey: { Type: 'Empty', Id: GUID_EMPTY },
    });
  });
});

describe('strict reader: document level', () => {
  it('reads a top-level null as null', () => {
    expect(read('NotificationEvent', ' null ')).toBeNull();
  });

  it.each([
    '',
    '{"EventType":"SendSms",}',
    '{"EventType":"SendSms"} x',
    '// c\n{}',
    "{'EventType':'SendSms'}",
    '"SendSms"',
    '{"EventType":"a\tb"}',
  ])('rejects %j', (json) => {
    expect(errorOf('NotificationKey', json).exception).toBe('JsonException');
  });

  it('rejects a UTF-8 BOM and invalid UTF-8 in byte input', () => {
    const bytes = new TextEncoder().encode('{"EventType":"SendSms"}');
    expect(readLikeCSharp('NotificationKey', bytes)).toEqual({ ok: true, value: { EventType: 'SendSms' } });
    expect(readLikeCSharp('NotificationKey', Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])).ok).toBe(false);
    expect(readLikeCSharp('NotificationKey', Uint8Array.from([0x22, 0xff, 0x22])).ok).toBe(false);
  });

  it('readLikeCSharpOrThrow throws a CSharpException', () => {
    expect(() => read('NotificationEvent', '{}')).toThrow(CSharpException);
  });
});

describe('writer', () => {
  it.each([
    ['"', '\\u0022'],
    ['&', '\\u0026'],
    ["'", '\\u0027'],
    ['+', '\\u002B'],
    ['<', '\\u003C'],
    ['>', '\\u003E'],
    ['`', '\\u0060'],
    ['\\', '\\\\'],
    ['/', '/'],
    ['\n', '\\n'],
    ['\r', '\\r'],
    ['\t', '\\t'],
    ['\b', '\\b'],
    ['\f', '\\f'],
    ['\u0000', '\\u0000'],
    ['\u001f', '\\u001F'],
    ['\u007f', '\\u007F'],
    ['é', '\\u00E9'],
    ['\u2028', '\\u2028'],
    ['\u{1F389}', '\\uD83C\\uDF89'],
    ['\uD800', '\\uFFFD'],
    ['a\uDC00b', 'a\\uFFFDb'],
    ['~ =:@[]{}', '~ =:@[]{}'],
  ])('escapes %j as %s', (input, escaped) => {
    expect(escapeLikeCSharp(input)).toBe(escaped);
  });

  it('writes nulls, lower-cases Guids and trims DateTimeOffset fractions', () => {
    expect(writeLikeCSharp('ClientKey', { ClientId: '3F2A8C1E-5B7D-4E21-9C0A-6D1F2E3B4A59' })).toBe(
      '{"ClientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59"}',
    );
    expect(writeLikeCSharp('NotificationKey', { EventType: null })).toBe('{"EventType":null}');
    expect(writeLikeCSharp('NotificationEvent', null)).toBe('null');
    const dlq = read('DeadLetterEvent', `{${DLQ_REQUIRED}}`)!;
    const withTime = (Timestamp: string) => ({ ...dlq, EventKey: { Type: 'MessageFailed', Id: GUID_EMPTY }, Timestamp });
    expect(writeLikeCSharp('DeadLetterEvent', withTime('2025-12-18T10:00:00.5000000Z'))).toContain(
      '"Timestamp":"2025-12-18T10:00:00.5+00:00"',
    );
    expect(writeLikeCSharp('DeadLetterEvent', withTime('2025-12-18T10:00:00.0000000-05:00'))).toContain(
      '"Timestamp":"2025-12-18T10:00:00-05:00"',
    );
  });

  it('writes a Map in insertion order, including integer-like keys', () => {
    const Replacements = new Map([
      ['b', '1'],
      ['10', '2'],
      ['1', null],
    ]);
    const value = { $type: 'notification.clientUpdated', ResourceKey: 'K', Locale: 'en-US', Replacements };
    expect(writeLikeCSharp('NotificationEvent', value)).toBe(
      '{"$type":"notification.clientUpdated","ResourceKey":"K","Locale":"en-US","Replacements":{"b":"1","10":"2","1":null}}',
    );
  });

  it('refuses what a C# object could not hold', () => {
    expect(() => writeLikeCSharp('NotificationEvent', { $type: 'notification.nope' })).toThrow(/unknown \$type/);
    expect(() => writeLikeCSharp('NotificationKey', { EventType: 'x', eventType: 'y' })).toThrow(/no member/);
    expect(() => writeLikeCSharp('NotificationKey', {})).toThrow(/missing/);
    expect(() => writeLikeCSharp('ClientKey', { ClientId: 'nope' })).toThrow(/Guid/);
    expect(() => writeLikeCSharp('ClientKey', { ClientId: null })).toThrow(/cannot be null/);
    expect(() => writeLikeCSharp('DeadLetterEvent', { ...read('DeadLetterEvent', `{${DLQ_REQUIRED}}`)! })).toThrow(/Guid|DateTimeOffset/);
  });
});

describe('properties', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 });
  const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 40 });
  const sendSmsValue = fc.record({
    PhoneNumber: fc.option(text, { nil: null }),
    ResourceKey: text,
    Locale: text,
    Replacements: fc.dictionary(text, fc.option(text, { nil: null }), { maxKeys: 5 }),
  });

  it('writer → reader round-trips random strings', () => {
    fc.assert(
      fc.property(sendSmsValue, (members) => {
        const value = { $type: 'notification.sendSms', ...members };
        expect(read('NotificationEvent', writeLikeCSharp('NotificationEvent', value))).toEqual(value);
      }),
    );
  });

  it('writer output is JSON whose JSON.parse equals the input, in pure ASCII', () => {
    fc.assert(
      fc.property(sendSmsValue, (members) => {
        const json = writeLikeCSharp('NotificationEvent', { $type: 'notification.sendSms', ...members });
        expect(json).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(json)).toEqual({ $type: 'notification.sendSms', ...members });
      }),
    );
  });

  it('any UTF-16 string escapes to ASCII that JSON.parse reads back, lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(anyUnits, (s) => {
        const literal = jsonStringLikeCSharp(s);
        expect(literal).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(literal)).toBe(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
      }),
    );
  });

  it('the reader agrees with JSON.parse on any string the writer escapes', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(read('NotificationKey', `{"EventType":${jsonStringLikeCSharp(s)}}`)).toEqual({ EventType: s });
        expect(read('NotificationKey', `{"EventType":${JSON.stringify(s)}}`)).toEqual({ EventType: s });
      }),
    );
  });
});
