// The codec against the C# side: golden vectors written by hand from the C# records
// (test/support/csharp/vectors.ts) must decode through ours, and everything we write must bind in
// full through a reader that behaves like System.Text.Json with default options.
import { readLikeCSharp, readLikeCSharpOrThrow } from '../../../../test/support/csharp/strict-reader.js';
import {
  CLIENT_CREATED,
  CLIENT_CREATED_NOTIFICATION,
  CLIENT_UPDATED,
  DEAD_LETTER_CSHARP,
  FOREIGN_PRODUCT_CREATED,
  FOREIGN_PRODUCT_SYNCHRONIZED,
  PAYMENT_COMPLETED,
  SEND_SMS_CURRENT,
  SEND_SMS_EARLIER,
  SEND_SMS_ENCRYPTED,
  SEND_SMS_SPECIAL_CHARACTERS,
  TEST_ENCRYPTION_KEY_BASE64,
  TEST_PHONE_ENCRYPTED,
  TEST_PHONE_PLAINTEXT,
} from '../../../../test/support/csharp/vectors.js';
import { PhoneCipher } from '../crypto/phone-cipher.js';
import {
  EventEncodeError,
  decodeDeadLetter,
  decodeDeadLetterKey,
  decodeEventKey,
  decodeForeignProduct,
  decodeNotification,
  decodePayment,
  encodeEvent,
  encodeForeignProductKey,
  encodePaymentKey,
  encodeSendSmsKey,
  sendSmsRecipient,
  type DecodeResult,
  type SendSmsNotification,
  type WritableEvent,
} from './index.js';

function valueOf<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

function errorOf<T>(result: DecodeResult<T>) {
  if (result.ok) throw new Error('expected a decode error');
  return result.error;
}

const asSendSms = (json: string): SendSmsNotification => {
  const event = valueOf(decodeNotification(json));
  if (event.$type !== 'notification.sendSms') throw new Error(`not a SendSms: ${event.$type}`);
  return event;
};

describe('C#-written notifications decode through ours', () => {
  it('reads the current generation with an escaped plain phone number', () => {
    expect(asSendSms(SEND_SMS_CURRENT.value.json)).toEqual({
      $type: 'notification.sendSms',
      phoneNumber: '+15555550123',
      resourceKey: 'AnnouncementSent',
      locale: 'es-ES',
      replacements: { count: '47' },
    });
    expect(sendSmsRecipient(asSendSms(SEND_SMS_CURRENT.value.json), SEND_SMS_CURRENT.key.json)).toBe('+15555550123');
  });

  it('reads an encrypted PhoneNumber that decrypts with the C# key', () => {
    const sms = asSendSms(SEND_SMS_ENCRYPTED.value.json);
    expect(sms.phoneNumber).toBe(TEST_PHONE_ENCRYPTED);
    expect(new PhoneCipher(Buffer.from(TEST_ENCRYPTION_KEY_BASE64, 'base64')).decrypt(sms.phoneNumber!)).toBe(TEST_PHONE_PLAINTEXT);
  });

  it('reads the earlier generation: no phone in the value, the recipient from the key', () => {
    const sms = asSendSms(SEND_SMS_EARLIER.value.json);
    expect(sms.phoneNumber).toBeNull();
    expect(sendSmsRecipient(sms, Buffer.from(SEND_SMS_EARLIER.key.json))).toBe('+15555550123');
    expect(sendSmsRecipient(sms, SEND_SMS_CURRENT.key.json)).toBeNull();
    expect(sendSmsRecipient(sms, null)).toBeNull();
  });

  it('unescapes emoji, accents and &<>\'+"` in replacements exactly as C# holds them', () => {
    const sms = asSendSms(SEND_SMS_SPECIAL_CHARACTERS.value.json);
    expect({ ...sms.replacements }).toEqual(SEND_SMS_SPECIAL_CHARACTERS.value.csharp.Replacements);
  });

  it('recognises client notifications and client events (the notifier skips them)', () => {
    for (const vector of [CLIENT_CREATED_NOTIFICATION, CLIENT_CREATED, CLIENT_UPDATED]) {
      expect(valueOf(decodeNotification(vector.value.json)).$type).toBe(vector.value.csharp.$type);
    }
  });
});

describe('C#-written payments, products and dead letters decode through ours', () => {
  it('reads payment.completed and its key', () => {
    const c = PAYMENT_COMPLETED.value.csharp;
    expect(valueOf(decodePayment(PAYMENT_COMPLETED.value.json))).toEqual({
      $type: 'payment.completed',
      clientId: c.ClientId,
      priceForeignServiceId: c.PriceForeignServiceId,
      paymentConfirmationId: c.PaymentConfirmationId,
    });
    expect(valueOf(decodeEventKey(PAYMENT_COMPLETED.key.json))).toEqual({
      eventType: 'PaymentCompleted',
      eventKey: PAYMENT_COMPLETED.key.csharp.EventKey,
    });
  });

  it('reads both foreign-product types, nulls included', () => {
    for (const vector of [FOREIGN_PRODUCT_CREATED, FOREIGN_PRODUCT_SYNCHRONIZED]) {
      const c = vector.value.csharp;
      expect(valueOf(decodeForeignProduct(vector.value.json))).toMatchObject({
        $type: c.$type,
        foreignProductId: c.ForeignProductId,
        name: c.Name,
        description: c.Description,
        iconUrl: c.IconUrl,
      });
    }
  });

  it('reads a C#-written dead letter and its key, without our properties', () => {
    const record = valueOf(decodeDeadLetter(DEAD_LETTER_CSHARP.value.json));
    const c = DEAD_LETTER_CSHARP.value.csharp;
    expect(record).toMatchObject({
      exceptionType: c.ExceptionType,
      topic: 'notifications',
      attemptCount: 3,
      failureType: 2,
      stackTrace: c.StackTrace,
    });
    expect(record.edge).toBeUndefined();
    expect(asSendSms(record.originalValueJson!).phoneNumber).toBe(TEST_PHONE_ENCRYPTED);
    expect(valueOf(decodeDeadLetterKey(DEAD_LETTER_CSHARP.key.json)).failedKey.type).toBe('NotificationKey(EventType=SendSms)');
  });
});

describe('what we write binds in full in C#', () => {
  const writes: [string, WritableEvent, Parameters<typeof readLikeCSharp>[0], string][] = [
    [
      'SendSms',
      {
        $type: 'notification.sendSms',
        phoneNumber: '+15555550123',
        resourceKey: 'AnnouncementSent',
        locale: 'es-ES',
        replacements: { count: '47' },
      },
      'NotificationEvent',
      SEND_SMS_CURRENT.value.json,
    ],
    [
      'SendSms with special characters',
      {
        $type: 'notification.sendSms',
        phoneNumber: '+15555550123',
        resourceKey: 'AnnouncementTemplate',
        locale: 'es-ES',
        replacements: { ...(SEND_SMS_SPECIAL_CHARACTERS.value.csharp.Replacements as Record<string, string>) },
      },
      'NotificationEvent',
      SEND_SMS_SPECIAL_CHARACTERS.value.json,
    ],
    [
      'payment.completed',
      {
        $type: 'payment.completed',
        clientId: String(PAYMENT_COMPLETED.value.csharp.ClientId),
        priceForeignServiceId: String(PAYMENT_COMPLETED.value.csharp.PriceForeignServiceId),
        paymentConfirmationId: String(PAYMENT_COMPLETED.value.csharp.PaymentConfirmationId),
      },
      'PaymentEvent',
      PAYMENT_COMPLETED.value.json,
    ],
  ];

  it.each(writes)('%s reads as the C#-written vector does', (_name, event, type, csharpJson) => {
    const ours = encodeEvent(event);
    expect(ours.startsWith(`{"$type":"${event.$type}",`)).toBe(true);
    expect(readLikeCSharpOrThrow(type, ours)).toEqual(readLikeCSharpOrThrow(type, csharpJson));
  });

  it('writes foreign products that bind every property', () => {
    const c = FOREIGN_PRODUCT_SYNCHRONIZED.value.csharp;
    const ours = encodeEvent({
      $type: 'foreignProduct.synchronized',
      planNodeId: String(c.PlanNodeId),
      foreignProductId: String(c.ForeignProductId),
      name: String(c.Name),
      description: c.Description as string | null,
      iconUrl: c.IconUrl as string | null,
    });
    expect(readLikeCSharpOrThrow('ForeignProductEvent', ours)).toEqual(
      readLikeCSharpOrThrow('ForeignProductEvent', FOREIGN_PRODUCT_SYNCHRONIZED.value.json),
    );
    expect(
      readLikeCSharpOrThrow(
        'ForeignProductEventKey',
        encodeForeignProductKey({ $type: 'foreignProduct.synchronized', foreignProductId: String(c.ForeignProductId) }),
      ),
    ).toEqual(FOREIGN_PRODUCT_SYNCHRONIZED.key.csharp);
  });

  it('writes keys C# binds: SendSms (with a partition hint C# ignores) and payments', () => {
    expect(readLikeCSharpOrThrow('NotificationKey', encodeSendSmsKey('U3Vic2NyaWJlcjox'))).toEqual({ EventType: 'SendSms' });
    expect(encodeSendSmsKey('U3Vic2NyaWJlcjox')).toBe('{"EventType":"SendSms","Recipient":"U3Vic2NyaWJlcjox"}');
    expect(encodeSendSmsKey()).toBe(SEND_SMS_CURRENT.key.json);
    expect(encodePaymentKey(String(PAYMENT_COMPLETED.key.csharp.EventKey))).toBe(PAYMENT_COMPLETED.key.json);
  });

  it('never writes a property name C# would leave unbound', () => {
    const sms = encodeEvent({
      $type: 'notification.sendSms',
      phoneNumber: '+15555550123',
      resourceKey: 'k',
      locale: 'en-US',
      replacements: {},
    });
    expect(sms).toBe('{"$type":"notification.sendSms","PhoneNumber":"+15555550123","ResourceKey":"k","Locale":"en-US","Replacements":{}}');
  });
});

describe('reading rules (as System.Text.Json reads)', () => {
  it('is case-sensitive: a camelCase SendSms binds nothing and is refused', () => {
    // Deliberately camelCase: the shape C# leaves unbound, which we must refuse too.
    const camel = '{"$type":"notification.sendSms","phoneNumber":"+15555550100","resourceKey":"k","locale":"en-US","replacements":{}}';
    expect(errorOf(decodeNotification(camel))).toMatchObject({ kind: 'invalid-fields', issues: [expect.stringMatching(/^ResourceKey: /)] });
    expect(readLikeCSharpOrThrow('NotificationEvent', camel)).toMatchObject({ PhoneNumber: null, ResourceKey: null });
  });

  it('requires $type first (also when its name is escaped), as C# does', () => {
    const late = '{"PhoneNumber":"+15555550100","$type":"notification.sendSms","ResourceKey":"k","Locale":"en-US","Replacements":{}}';
    expect(errorOf(decodeNotification(late))).toMatchObject({ kind: 'type-not-first', type: 'notification.sendSms' });
    expect(readLikeCSharp('NotificationEvent', late).ok).toBe(false);
    expect(valueOf(decodeNotification(late, { allowTypeAnywhere: true })).$type).toBe('notification.sendSms');
    const escaped = '{ "\\u0024type" : "notification.sendSms","PhoneNumber":"+1","ResourceKey":"k","Locale":"","Replacements":{}}';
    expect(valueOf(decodeNotification(escaped)).$type).toBe('notification.sendSms');
  });

  it('ignores unknown properties and reads missing nullable ones as null', () => {
    const extra = SEND_SMS_CURRENT.value.json.replace('"Locale"', '"Priority":7,"Nested":{"a":[1]},"Locale"');
    expect(asSendSms(extra)).toEqual(asSendSms(SEND_SMS_CURRENT.value.json));
    expect(valueOf(decodeForeignProduct('{"$type":"foreignProduct.created","ForeignProductId":"prod_1","Name":"P"}'))).toEqual({
      $type: 'foreignProduct.created',
      foreignProductId: 'prod_1',
      name: 'P',
      description: null,
      iconUrl: null,
    });
  });

  it('accepts a GUID in either case (as C# does) and gives it back lower-case; refuses other GUID forms', () => {
    const upper = PAYMENT_COMPLETED.value.json.replace(
      String(PAYMENT_COMPLETED.value.csharp.ClientId),
      String(PAYMENT_COMPLETED.value.csharp.ClientId).toUpperCase(),
    );
    expect(valueOf(decodePayment(upper)).clientId).toBe(PAYMENT_COMPLETED.value.csharp.ClientId);
    const braces = PAYMENT_COMPLETED.value.json.replace(String(PAYMENT_COMPLETED.value.csharp.ClientId), 'not-a-guid');
    expect(errorOf(decodePayment(braces)).issues).toEqual(['ClientId: must be a hyphenated GUID']);
  });

  it('tells the failure kinds apart and never echoes the value', () => {
    expect(errorOf(decodeNotification(Buffer.from([0x7b, 0xff, 0x7d]))).kind).toBe('invalid-utf8');
    expect(errorOf(decodeNotification('{"$type":')).kind).toBe('invalid-json');
    expect(errorOf(decodeNotification(null)).kind).toBe('invalid-json');
    expect(errorOf(decodeNotification('[1]')).kind).toBe('not-an-object');
    expect(errorOf(decodeNotification('{"Type":"notification.sendSms"}')).kind).toBe('missing-type');
    expect(errorOf(decodeNotification('{"$type":"notification.smsSent"}'))).toMatchObject({
      kind: 'unknown-type',
      type: 'notification.smsSent',
    });
    expect(errorOf(decodeNotification(PAYMENT_COMPLETED.value.json)).kind).toBe('unknown-type');
    expect(errorOf(decodeNotification('+15555550100 is not json')).message).not.toContain('5555');
  });

  it('cannot be steered into Object.prototype', () => {
    const hostile =
      '{"$type":"notification.sendSms","__proto__":{"polluted":true},"PhoneNumber":"+1","ResourceKey":"k","Locale":"","Replacements":{"__proto__":"p","constructor":"c"}}';
    const sms = asSendSms(hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(sms.replacements)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(sms.replacements)).toBeNull();
    expect(encodeEvent(sms)).toContain('"Replacements":{"__proto__":"p","constructor":"c"}');
  });
});

describe('writing rules', () => {
  const sms = { $type: 'notification.sendSms', phoneNumber: '+15555550123', resourceKey: 'k', locale: 'en-US', replacements: {} } as const;

  it('writes GUIDs lower-case', () => {
    const id = '3F2A8C1E-5B7D-4E21-9C0A-6D1F2E3B4A59';
    expect(
      encodeEvent({ $type: 'payment.completed', clientId: id, priceForeignServiceId: 'price_1', paymentConfirmationId: id }),
    ).toContain(`"ClientId":"${id.toLowerCase()}"`);
  });

  it('writes a lone surrogate as U+FFFD, as System.Text.Json does', () => {
    const json = encodeEvent({ ...sms, replacements: { ['k\udc00']: 'a\ud800b' } });
    expect(json).toContain('"Replacements":{"k\ufffd":"a\ufffdb"}');
    expect(readLikeCSharpOrThrow('NotificationEvent', json)).toMatchObject({ Replacements: { 'k\ufffd': 'a\ufffdb' } });
  });

  it('refuses what C# could not read or the contract forbids', () => {
    expect(() => encodeEvent({ ...sms, phoneNumber: null })).toThrow(/PhoneNumber: is required/);
    expect(() => encodeEvent({ ...sms, resourceKey: '' })).toThrow(EventEncodeError);
    expect(() => encodeEvent({ $type: 'client.created' } as unknown as WritableEvent)).toThrow(/not a message type this project writes/);
    expect(() => encodeEvent(undefined as unknown as WritableEvent)).toThrow(EventEncodeError);
  });
});
