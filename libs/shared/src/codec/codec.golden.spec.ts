import {
  EventEncodeError,
  decodeAny,
  decodeDeadLetter,
  decodeEventKey,
  decodeForeignProduct,
  decodeNotification,
  decodePayment,
  encodeDeadLetterKey,
  encodeEvent,
  encodeForeignProductKey,
  encodePaymentKey,
  encodeSendSmsKey,
  type DeadLetterRecord,
  type DecodeResult,
  type WireEvent,
} from './index.js';

// Golden strings below are written by hand from the contract (docs/contract.md), not produced by the encoder.

const CONTRACT_EXAMPLE =
  '{"$type":"notification.sendSms","phoneNumber":"+15555550100","resourceKey":"AnnouncementSent","locale":"es-ES","replacements":{"count":"47"}}';

const PAYMENT =
  '{"$type":"payment.completed","clientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59","priceForeignServiceId":"price_1PqR2sT3uV4wX5yZ","paymentConfirmationId":"8d0c6b2a-1e4f-4a3b-b5c6-d7e8f9a0b1c2"}';

const PRODUCT_CREATED =
  '{"$type":"foreignProduct.created","foreignProductId":"prod_Q1w2E3r4T5y6","name":"Pro plan","description":null,"iconUrl":null}';

const PRODUCT_SYNCHRONIZED =
  '{"$type":"foreignProduct.synchronized","planNodeId":"UGxhbjox","foreignProductId":"prod_Q1w2E3r4T5y6","name":"Pro plan","description":"Unlimited nudges","iconUrl":"https://files.example.com/pro.png"}';

const CLIENT_CREATED =
  '{"$type":"notification.clientCreated","resourceKey":"ClientCreated","locale":"en-US","replacements":{}}';

const DEAD_LETTER =
  '{"$type":"deadletter.record","id":"0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40","source":"notifier","reasonCode":"poison.invalid-json",' +
  '"reason":"value is not valid JSON (5 characters)","attempts":1,"failedAt":"2025-03-04T05:06:07.089Z",' +
  '"original":{"topic":"notifications","partition":3,"offset":"42","key":{"encoding":"utf8","data":"{\\"eventType\\":\\"SendSms\\"}"},' +
  '"value":{"encoding":"base64","data":"/wB7fQ=="},"headers":{"traceparent":{"encoding":"utf8","data":"00-ab-cd-01"}}}}';

const sendSms = {
  $type: 'notification.sendSms',
  phoneNumber: '+15555550100',
  resourceKey: 'AnnouncementSent',
  locale: 'es-ES',
  replacements: { count: '47' },
} as const;

const payment = {
  $type: 'payment.completed',
  clientId: '3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59',
  priceForeignServiceId: 'price_1PqR2sT3uV4wX5yZ',
  paymentConfirmationId: '8d0c6b2a-1e4f-4a3b-b5c6-d7e8f9a0b1c2',
} as const;

const productCreated = {
  $type: 'foreignProduct.created',
  foreignProductId: 'prod_Q1w2E3r4T5y6',
  name: 'Pro plan',
  description: null,
  iconUrl: null,
} as const;

const productSynchronized = {
  $type: 'foreignProduct.synchronized',
  planNodeId: 'UGxhbjox',
  foreignProductId: 'prod_Q1w2E3r4T5y6',
  name: 'Pro plan',
  description: 'Unlimited nudges',
  iconUrl: 'https://files.example.com/pro.png',
} as const;

const clientCreated = { $type: 'notification.clientCreated', resourceKey: 'ClientCreated', locale: 'en-US', replacements: {} } as const;

const deadLetter: DeadLetterRecord = {
  $type: 'deadletter.record',
  id: '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40',
  source: 'notifier',
  reasonCode: 'poison.invalid-json',
  reason: 'value is not valid JSON (5 characters)',
  attempts: 1,
  failedAt: '2025-03-04T05:06:07.089Z',
  original: {
    topic: 'notifications',
    partition: 3,
    offset: '42',
    key: { encoding: 'utf8', data: '{"eventType":"SendSms"}' },
    value: { encoding: 'base64', data: '/wB7fQ==' },
    headers: { traceparent: { encoding: 'utf8', data: '00-ab-cd-01' } },
  },
};

function valueOf<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

function errorOf<T>(result: DecodeResult<T>) {
  if (result.ok) throw new Error('expected a decode error');
  return result.error;
}

describe('golden messages', () => {
  const cases: [string, WireEvent, string, (s: string | Buffer) => DecodeResult<WireEvent>][] = [
    ['the contract example (sendSms)', sendSms, CONTRACT_EXAMPLE, decodeNotification],
    ['a client notification', clientCreated, CLIENT_CREATED, decodeNotification],
    ['payment.completed', payment, PAYMENT, decodePayment],
    ['foreignProduct.created with null description', productCreated, PRODUCT_CREATED, decodeForeignProduct],
    ['foreignProduct.synchronized', productSynchronized, PRODUCT_SYNCHRONIZED, decodeForeignProduct],
    ['deadletter.record', deadLetter, DEAD_LETTER, decodeDeadLetter],
  ];

  it.each(cases)('encodes %s byte for byte', (_name, event, golden) => {
    expect(encodeEvent(event)).toBe(golden);
  });

  it.each(cases)('decodes %s', (_name, event, golden, decode) => {
    expect(valueOf(decode(golden))).toEqual(event);
    expect(valueOf(decode(Buffer.from(golden, 'utf8')))).toEqual(event);
    expect(valueOf(decodeAny(golden))).toEqual(event);
  });
});

describe('golden keys', () => {
  it('writes the SendSms key, with and without recipient (eventType first)', () => {
    expect(encodeSendSmsKey()).toBe('{"eventType":"SendSms"}');
    expect(encodeSendSmsKey('subscriber-42')).toBe('{"eventType":"SendSms","recipient":"subscriber-42"}');
  });

  it('writes the payment, foreign-product and dead-letter keys', () => {
    expect(encodePaymentKey(payment.paymentConfirmationId)).toBe(
      '{"eventType":"PaymentCompleted","eventKey":"8d0c6b2a-1e4f-4a3b-b5c6-d7e8f9a0b1c2"}',
    );
    expect(encodeForeignProductKey(productCreated)).toBe('{"eventType":"foreignProduct.created","eventKey":"prod_Q1w2E3r4T5y6"}');
    expect(encodeForeignProductKey(productSynchronized)).toBe(
      '{"eventType":"foreignProduct.synchronized","eventKey":"prod_Q1w2E3r4T5y6"}',
    );
    expect(encodeDeadLetterKey(deadLetter.id)).toBe('{"eventType":"DeadLetter","eventKey":"0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40"}');
  });

  it('reads keys leniently', () => {
    expect(valueOf(decodeEventKey('{"eventType":"SendSms","recipient":"r1","extra":1}'))).toEqual({ eventType: 'SendSms', recipient: 'r1' });
    expect(valueOf(decodeEventKey(Buffer.from('{"eventType":"PaymentCompleted","eventKey":"k"}')))).toEqual({
      eventType: 'PaymentCompleted',
      eventKey: 'k',
    });
    expect(errorOf(decodeEventKey('{"eventKey":"k"}')).kind).toBe('invalid-fields');
    expect(errorOf(decodeEventKey(null)).kind).toBe('invalid-json');
  });
});

describe('decoder rules', () => {
  it('reads $type in any position by default, and rejects it when requireTypeFirst is set', () => {
    const late = '{"phoneNumber":"+15555550100","resourceKey":"WelcomeMessage","$type":"notification.sendSms","locale":"en-US","replacements":{}}';
    expect(valueOf(decodeNotification(late)).$type).toBe('notification.sendSms');
    expect(errorOf(decodeNotification(late, { requireTypeFirst: true }))).toMatchObject({ kind: 'type-not-first', type: 'notification.sendSms' });
    expect(valueOf(decodeNotification(` \n{ "$type" : "notification.sendSms","phoneNumber":"+1","resourceKey":"k","locale":"","replacements":{}}`, { requireTypeFirst: true })).$type).toBe(
      'notification.sendSms',
    );
  });

  it('drops unknown properties', () => {
    const withExtras = CONTRACT_EXAMPLE.replace('"locale"', '"priority":7,"nested":{"a":[1,2]},"locale"');
    const decoded = valueOf(decodeNotification(withExtras));
    expect(decoded).toEqual(sendSms);
    expect(Object.keys(decoded)).not.toContain('priority');
  });

  it('reports a missing required property with its path', () => {
    const error = errorOf(decodeNotification('{"$type":"notification.sendSms","resourceKey":"k","locale":"en-US","replacements":{}}'));
    expect(error.kind).toBe('invalid-fields');
    expect(error.type).toBe('notification.sendSms');
    expect(error.issues).toEqual([expect.stringMatching(/^phoneNumber: /)]);
  });

  it('requires replacements to be an object of strings', () => {
    const missing = errorOf(decodeNotification('{"$type":"notification.clientUpdated","resourceKey":"k","locale":"en-US"}'));
    expect(missing.issues).toEqual([expect.stringMatching(/^replacements: /)]);
    const numeric = errorOf(decodeNotification('{"$type":"notification.clientUpdated","resourceKey":"k","locale":"en-US","replacements":{"n":1}}'));
    expect(numeric.issues).toEqual(['replacements: ["n"]: expected a string value']);
  });

  it('reads a missing nullable property as null', () => {
    const decoded = valueOf(decodeForeignProduct('{"$type":"foreignProduct.created","foreignProductId":"prod_1","name":"P"}'));
    expect(decoded).toEqual({ $type: 'foreignProduct.created', foreignProductId: 'prod_1', name: 'P', description: null, iconUrl: null });
  });

  it('rejects upper-case or unhyphenated GUIDs', () => {
    for (const clientId of ['3F2A8C1E-5B7D-4E21-9C0A-6D1F2E3B4A59', '3f2a8c1e5b7d4e219c0a6d1f2e3b4a59', '{3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59}']) {
      const error = errorOf(decodePayment(PAYMENT.replace(payment.clientId, clientId)));
      expect(error.issues).toEqual(['clientId: must be a lower-case hyphenated GUID']);
    }
  });

  it('rejects a failedAt without offset', () => {
    const error = errorOf(decodeDeadLetter(DEAD_LETTER.replace('2025-03-04T05:06:07.089Z', '2025-03-04T05:06:07')));
    expect(error.issues).toEqual([expect.stringMatching(/^failedAt: /)]);
    expect(valueOf(decodeDeadLetter(DEAD_LETTER.replace('07.089Z', '07+02:00'))).failedAt).toBe('2025-03-04T05:06:07+02:00');
  });

  it('tells the failure kinds apart', () => {
    expect(errorOf(decodeNotification(Buffer.from([0x7b, 0xff, 0x7d]))).kind).toBe('invalid-utf8');
    expect(errorOf(decodeNotification('{"$type":'))).toMatchObject({ kind: 'invalid-json' });
    expect(errorOf(decodeNotification(null)).kind).toBe('invalid-json');
    expect(errorOf(decodeNotification('[1]')).kind).toBe('not-an-object');
    expect(errorOf(decodeNotification('"text"')).kind).toBe('not-an-object');
    expect(errorOf(decodeNotification('{"type":"notification.sendSms"}')).kind).toBe('missing-type');
    expect(errorOf(decodeNotification('{"$type":7}')).kind).toBe('missing-type');
    expect(errorOf(decodeNotification('{"$type":"notification.smsSent"}'))).toMatchObject({ kind: 'unknown-type', type: 'notification.smsSent' });
    expect(errorOf(decodeNotification(PAYMENT))).toMatchObject({ kind: 'unknown-type', type: 'payment.completed' });
  });

  it('never echoes the value in JSON errors', () => {
    const error = errorOf(decodeNotification('+15555550100 is not json'));
    expect(error.kind).toBe('invalid-json');
    expect(error.message).not.toContain('5555');
  });

  it('tolerates a UTF-8 byte-order mark', () => {
    expect(valueOf(decodeNotification(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CONTRACT_EXAMPLE)])))).toEqual(sendSms);
  });

  it('cannot be steered into Object.prototype', () => {
    const hostile =
      '{"$type":"notification.sendSms","__proto__":{"polluted":true},"phoneNumber":"+15555550100","resourceKey":"k","locale":"en-US",' +
      '"replacements":{"__proto__":"p","constructor":"c","toString":"t"}}';
    const decoded = valueOf(decodeNotification(hostile));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(decoded.replacements)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(decoded.replacements['__proto__']).toBe('p');
    expect(Object.getPrototypeOf(decoded.replacements)).toBeNull();
    expect(encodeEvent(decoded)).toContain('"replacements":{"__proto__":"p","constructor":"c","toString":"t"}');
    expect(errorOf(decodeAny('{"$type":"__proto__"}')).kind).toBe('unknown-type');
    expect(errorOf(decodeAny('{"$type":"constructor"}')).kind).toBe('unknown-type');
  });
});

describe('encoder rules', () => {
  it('writes $type first even when the object lists it last, and keeps only contract fields', () => {
    const shuffled = { iconUrl: null, description: null, name: 'N', foreignProductId: 'prod_9', $type: 'foreignProduct.created', extra: 1 };
    expect(encodeEvent(shuffled as unknown as WireEvent)).toBe(
      '{"$type":"foreignProduct.created","foreignProductId":"prod_9","name":"N","description":null,"iconUrl":null}',
    );
  });

  it('keeps replacement keys exactly as given', () => {
    const event = { ...sendSms, replacements: { CamelCase: 'a', snake_case: 'b', $dollar: 'c', 'ünï': 'd', '10': 'e' } };
    const json = encodeEvent(event);
    expect(json).toContain('"CamelCase":"a"');
    expect(json).toContain('"$dollar":"c"');
    expect(json).toContain('"ünï":"d"');
    expect(valueOf(decodeNotification(json)).replacements).toEqual(event.replacements);
  });

  it('leaves out optional dead-letter fields that are not set, and writes them when set', () => {
    expect(encodeEvent(deadLetter)).not.toContain('stripeEventId');
    const webhook: DeadLetterRecord = {
      ...deadLetter,
      source: 'webhooks',
      reasonCode: 'stripe.client-not-found',
      stripeEventId: 'evt_1',
      stripeEventType: 'checkout.session.completed',
      original: { key: null, value: { encoding: 'utf8', data: '{}' }, headers: {} },
    };
    expect(encodeEvent(webhook)).toContain(
      '"failedAt":"2025-03-04T05:06:07.089Z","stripeEventId":"evt_1","stripeEventType":"checkout.session.completed",' +
        '"original":{"key":null,"value":{"encoding":"utf8","data":"{}"},"headers":{}}}',
    );
  });

  it('throws a typed EventEncodeError for events that break the contract', () => {
    expect(() => encodeEvent({ ...payment, clientId: payment.clientId.toUpperCase() })).toThrow(EventEncodeError);
    expect(() => encodeEvent({ $type: 'payment.refunded' } as unknown as WireEvent)).toThrow(EventEncodeError);
    expect(() => encodeEvent({ ...sendSms, replacements: { n: 1 } } as unknown as WireEvent)).toThrow(/replacements/);
    expect(() => encodeEvent(undefined as unknown as WireEvent)).toThrow(EventEncodeError);
  });
});
