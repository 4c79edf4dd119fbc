// Golden vectors: the exact text the C# services write (System.Text.Json, default options), typed out
// by hand from the wire contract (/work/shared/nudges/wire-contract.md) and the C# record
// declarations — NOT produced by csharp-writer.ts, which the spec checks against them.
//
// Each `json` literal uses String.raw, so what you read is byte-for-byte the wire text: `\u002B` in a
// literal below is six characters on the wire, which C# decodes to `+`.
// Each `csharp` object is what the C# object holds (the writer's input); `Replacements`-style maps
// hold their entries in written order.

import type { CsObject, CsTypeName } from './csharp-types.js';

export interface WireVector {
  type: CsTypeName;
  json: string;
  csharp: CsObject;
}

export interface MessageVector {
  name: string;
  description: string;
  key: WireVector;
  value: WireVector;
}

// An AES-256-GCM phone number in the Nudges format base64(nonce[12] || tag[16] || ciphertext), no AAD.
// Produced once with node:crypto (createCipheriv('aes-256-gcm', key, nonce), plaintext '+15555550123'
// as UTF-8, getAuthTag()) using the fixed test key bytes 0x00..0x1f and the nonce
// fb ef be ff ff ff 00 01 02 03 04 05, chosen so that the base64 text starts with "++++////":
// C# escapes each '+' as \u002B and leaves each '/' as is.
export const TEST_ENCRYPTION_KEY_BASE64 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
export const TEST_PHONE_PLAINTEXT = '+15555550123';
export const TEST_PHONE_ENCRYPTED = '++++////AAECAwQFKTuicGONIEX/N5ql3kmH28cBRFNrm8NERyg7zg==';

const SEND_SMS_KEY: WireVector = { type: 'NotificationKey', json: String.raw`{"EventType":"SendSms"}`, csharp: { EventType: 'SendSms' } };

export const SEND_SMS_CURRENT: MessageVector = {
  name: 'SEND_SMS_CURRENT',
  description: 'Current-generation SendSms: constant key, plain E.164 phone in the value (the contract example).',
  key: SEND_SMS_KEY,
  value: {
    type: 'NotificationEvent',
    json: String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B15555550123","ResourceKey":"AnnouncementSent","Locale":"es-ES","Replacements":{"count":"47"}}`,
    csharp: {
      $type: 'notification.sendSms',
      PhoneNumber: '+15555550123',
      ResourceKey: 'AnnouncementSent',
      Locale: 'es-ES',
      Replacements: { count: '47' },
    },
  },
};

export const SEND_SMS_ENCRYPTED: MessageVector = {
  name: 'SEND_SMS_ENCRYPTED',
  description: 'Current-generation SendSms as AuthApi writes an OTP: PhoneNumber encrypted (base64 with + and /).',
  key: SEND_SMS_KEY,
  value: {
    type: 'NotificationEvent',
    json: String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B\u002B\u002B\u002B////AAECAwQFKTuicGONIEX/N5ql3kmH28cBRFNrm8NERyg7zg==","ResourceKey":"SendOtp","Locale":"en-US","Replacements":{"otp":"482915"}}`,
    csharp: {
      $type: 'notification.sendSms',
      PhoneNumber: TEST_PHONE_ENCRYPTED,
      ResourceKey: 'SendOtp',
      Locale: 'en-US',
      Replacements: { otp: '482915' },
    },
  },
};

export const SEND_SMS_EARLIER: MessageVector = {
  name: 'SEND_SMS_EARLIER',
  description: "Earlier-generation SendSms: the phone is the key's EventKey; the value has no PhoneNumber.",
  key: {
    type: 'LegacyNotificationKey',
    json: String.raw`{"EventType":"SendSms","EventKey":"\u002B15555550123"}`,
    csharp: { EventType: 'SendSms', EventKey: '+15555550123' },
  },
  value: {
    type: 'LegacyNotificationEvent',
    json: String.raw`{"$type":"notification.sendSms","ResourceKey":"AnnouncementSent","Locale":"es-ES","Replacements":{"count":"47"}}`,
    csharp: { $type: 'notification.sendSms', ResourceKey: 'AnnouncementSent', Locale: 'es-ES', Replacements: { count: '47' } },
  },
};

export const SEND_SMS_SPECIAL_CHARACTERS: MessageVector = {
  name: 'SEND_SMS_SPECIAL_CHARACTERS',
  description: 'SendSms whose Replacements hold an emoji (surrogate pair), accented Spanish, &<>\'+"` and controls.',
  key: SEND_SMS_KEY,
  value: {
    type: 'NotificationEvent',
    json:
      String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B15555550123","ResourceKey":"AnnouncementTemplate","Locale":"es-ES",` +
      String.raw`"Replacements":{"emoji":"\uD83C\uDF89 \u00A1Oferta!","texto":"A\u00F1o nuevo: caf\u00E9, ni\u00F1o, acci\u00F3n",` +
      String.raw`"s\u00EDmbolos":"\u0026\u003C\u003E\u0027\u002B\u0022\u0060","misc":"l\u00EDnea 1\nl\u00EDnea 2\t/fin\\"}}`,
    csharp: {
      $type: 'notification.sendSms',
      PhoneNumber: '+15555550123',
      ResourceKey: 'AnnouncementTemplate',
      Locale: 'es-ES',
      Replacements: {
        emoji: '\u{1F389} ¡Oferta!',
        texto: 'Año nuevo: café, niño, acción',
        símbolos: '&<>\'+"`',
        misc: 'línea 1\nlínea 2\t/fin\\',
      },
    },
  },
};

export const CLIENT_CREATED_NOTIFICATION: MessageVector = {
  name: 'CLIENT_CREATED_NOTIFICATION',
  description: 'notification.clientCreated as ClientCreatedNotificationEvent.Create() builds it (no recipient, empty Replacements).',
  key: { type: 'NotificationKey', json: String.raw`{"EventType":"ClientCreated"}`, csharp: { EventType: 'ClientCreated' } },
  value: {
    type: 'NotificationEvent',
    json: String.raw`{"$type":"notification.clientCreated","ResourceKey":"ClientCreatedNotificationEvent","Locale":"en-US","Replacements":{}}`,
    csharp: { $type: 'notification.clientCreated', ResourceKey: 'ClientCreatedNotificationEvent', Locale: 'en-US', Replacements: {} },
  },
};

const CLIENT_ID = '0193f6a2-7c4e-7b21-9d3a-5e8f1c2b4a60';
const CLIENT_KEY: WireVector = {
  type: 'ClientKey',
  json: String.raw`{"ClientId":"0193f6a2-7c4e-7b21-9d3a-5e8f1c2b4a60"}`,
  csharp: { ClientId: CLIENT_ID },
};

export const CLIENT_CREATED: MessageVector = {
  name: 'CLIENT_CREATED',
  description: 'client.created on the notifications topic (ClientEventProducer), keyed by the user id.',
  key: CLIENT_KEY,
  value: {
    type: 'ClientEvent',
    json: String.raw`{"$type":"client.created","UserId":"0193f6a2-7c4e-7b21-9d3a-5e8f1c2b4a60","PhoneNumberEncrypted":"\u002B\u002B\u002B\u002B////AAECAwQFKTuicGONIEX/N5ql3kmH28cBRFNrm8NERyg7zg==","Name":"Mar\u00EDa L\u00F3pez","Locale":"es-ES"}`,
    csharp: {
      $type: 'client.created',
      UserId: CLIENT_ID,
      PhoneNumberEncrypted: TEST_PHONE_ENCRYPTED,
      Name: 'María López',
      Locale: 'es-ES',
    },
  },
};

export const CLIENT_UPDATED: MessageVector = {
  name: 'CLIENT_UPDATED',
  description: 'client.updated on the notifications topic, keyed by the user id.',
  key: CLIENT_KEY,
  value: {
    type: 'ClientEvent',
    json: String.raw`{"$type":"client.updated","UserId":"0193f6a2-7c4e-7b21-9d3a-5e8f1c2b4a60","ClientNodeId":"Q2xpZW50OjE="}`,
    csharp: { $type: 'client.updated', UserId: CLIENT_ID, ClientNodeId: 'Q2xpZW50OjE=' },
  },
};

export const PAYMENT_COMPLETED: MessageVector = {
  name: 'PAYMENT_COMPLETED',
  description: 'payment.completed with PaymentKey.PaymentCompleted(<payment confirmation node id>).',
  key: {
    type: 'PaymentKey',
    json: String.raw`{"EventType":"PaymentCompleted","EventKey":"UGF5bWVudENvbmZpcm1hdGlvbjo0Mg=="}`,
    csharp: { EventType: 'PaymentCompleted', EventKey: 'UGF5bWVudENvbmZpcm1hdGlvbjo0Mg==' },
  },
  value: {
    type: 'PaymentEvent',
    json: String.raw`{"$type":"payment.completed","ClientId":"3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59","PriceForeignServiceId":"price_1PqR2sT3uV4wX5yZ","PaymentConfirmationId":"8d0c6b2a-1e4f-4a3b-b5c6-d7e8f9a0b1c2"}`,
    csharp: {
      $type: 'payment.completed',
      ClientId: '3f2a8c1e-5b7d-4e21-9c0a-6d1f2e3b4a59',
      PriceForeignServiceId: 'price_1PqR2sT3uV4wX5yZ',
      PaymentConfirmationId: '8d0c6b2a-1e4f-4a3b-b5c6-d7e8f9a0b1c2',
    },
  },
};

export const FOREIGN_PRODUCT_CREATED: MessageVector = {
  name: 'FOREIGN_PRODUCT_CREATED',
  description: 'foreignProduct.created with null Description and IconUrl (written as null, not omitted).',
  key: {
    type: 'ForeignProductEventKey',
    json: String.raw`{"EventType":"foreignProduct.created","EventKey":"prod_Q1w2E3r4T5y6"}`,
    csharp: { EventType: 'foreignProduct.created', EventKey: 'prod_Q1w2E3r4T5y6' },
  },
  value: {
    type: 'ForeignProductEvent',
    json: String.raw`{"$type":"foreignProduct.created","ForeignProductId":"prod_Q1w2E3r4T5y6","Name":"Pro plan","Description":null,"IconUrl":null}`,
    csharp: { $type: 'foreignProduct.created', ForeignProductId: 'prod_Q1w2E3r4T5y6', Name: 'Pro plan', Description: null, IconUrl: null },
  },
};

export const FOREIGN_PRODUCT_SYNCHRONIZED: MessageVector = {
  name: 'FOREIGN_PRODUCT_SYNCHRONIZED',
  description: 'foreignProduct.synchronized with null Description and IconUrl.',
  key: {
    type: 'ForeignProductEventKey',
    json: String.raw`{"EventType":"foreignProduct.synchronized","EventKey":"prod_Q1w2E3r4T5y6"}`,
    csharp: { EventType: 'foreignProduct.synchronized', EventKey: 'prod_Q1w2E3r4T5y6' },
  },
  value: {
    type: 'ForeignProductEvent',
    json: String.raw`{"$type":"foreignProduct.synchronized","PlanNodeId":"UGxhbjox","ForeignProductId":"prod_Q1w2E3r4T5y6","Name":"Pro plan","Description":null,"IconUrl":null}`,
    csharp: {
      $type: 'foreignProduct.synchronized',
      PlanNodeId: 'UGxhbjox',
      ForeignProductId: 'prod_Q1w2E3r4T5y6',
      Name: 'Pro plan',
      Description: null,
      IconUrl: null,
    },
  },
};

// The failed message is an AnnouncementSent SendSms with the encrypted test phone. DlqHelper serializes its key and value again with
// STJ (OriginalKeyJson/OriginalValueJson hold that JSON text), so on the wire the inner quotes are
// \u0022 and the inner \u002B escapes gain a second backslash (\\u002B).
const ORIGINAL_VALUE_JSON = String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B\u002B\u002B\u002B////AAECAwQFKTuicGONIEX/N5ql3kmH28cBRFNrm8NERyg7zg==","ResourceKey":"AnnouncementSent","Locale":"es-ES","Replacements":{"count":"47"}}`;
const DLQ_EVENT_KEY = { Type: 'MessageFailed', Id: '019b30f1-5c2a-7d4e-8f10-2a3b4c5d6e7f' };

export const DEAD_LETTER_CSHARP: MessageVector = {
  name: 'DEAD_LETTER_CSHARP',
  description: 'A DeadLetterEvent as the C# DlqHelper writes it after a notifications handler failed permanently.',
  key: {
    type: 'DeadLetterEventKey',
    json: String.raw`{"EventKey":{"Type":"MessageFailed","Id":"019b30f1-5c2a-7d4e-8f10-2a3b4c5d6e7f"},"FailedKey":{"Type":"NotificationKey(EventType=SendSms)","Id":"019b30f1-5c29-7a11-b2c3-d4e5f6a7b8c9"}}`,
    csharp: {
      EventKey: DLQ_EVENT_KEY,
      FailedKey: { Type: 'NotificationKey(EventType=SendSms)', Id: '019b30f1-5c29-7a11-b2c3-d4e5f6a7b8c9' },
    },
  },
  value: {
    type: 'DeadLetterEvent',
    json:
      String.raw`{"ExceptionType":"System.InvalidOperationException",` +
      String.raw`"ExceptionMessage":"Can\u0027t localize \u0027AnnouncementSent\u0027 for locale \u0022es-ES\u0022",` +
      String.raw`"StackTrace":"   at KafkaConsumer.Middleware.NotificationMessageMiddleware.InvokeAsync(MessageContext\u00602 context) in /src/dotnet/KafkaConsumer/Middleware/NotificationMessageMiddleware.cs:line 57\n   at Nudges.Kafka.Middleware.MessageProcessor\u00602.ProcessAsync(ConsumeResult\u00602 result, CancellationToken cancellationToken)",` +
      String.raw`"InnerExceptionType":"Grpc.Core.RpcException",` +
      String.raw`"InnerExceptionMessage":"Status(StatusCode=\u0022Unavailable\u0022, Detail=\u0022Error connecting to subchannel.\u0022)",` +
      String.raw`"InnerExceptionStackTrace":null,"Topic":"notifications",` +
      String.raw`"EventKey":{"Type":"MessageFailed","Id":"019b30f1-5c2a-7d4e-8f10-2a3b4c5d6e7f"},"Timestamp":"2025-12-18T10:00:00.1234567+00:00",` +
      String.raw`"OriginalKeyJson":"{\u0022EventType\u0022:\u0022SendSms\u0022}",` +
      String.raw`"OriginalValueJson":"{\u0022$type\u0022:\u0022notification.sendSms\u0022,\u0022PhoneNumber\u0022:\u0022\\u002B\\u002B\\u002B\\u002B////AAECAwQFKTuicGONIEX/N5ql3kmH28cBRFNrm8NERyg7zg==\u0022,\u0022ResourceKey\u0022:\u0022AnnouncementSent\u0022,\u0022Locale\u0022:\u0022es-ES\u0022,\u0022Replacements\u0022:{\u0022count\u0022:\u002247\u0022}}",` +
      String.raw`"OriginalHeaders":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},"AttemptCount":3,"FailureType":2}`,
    csharp: {
      ExceptionType: 'System.InvalidOperationException',
      ExceptionMessage: "Can't localize 'AnnouncementSent' for locale \"es-ES\"",
      StackTrace:
        '   at KafkaConsumer.Middleware.NotificationMessageMiddleware.InvokeAsync(MessageContext`2 context) in /src/dotnet/KafkaConsumer/Middleware/NotificationMessageMiddleware.cs:line 57\n' +
        '   at Nudges.Kafka.Middleware.MessageProcessor`2.ProcessAsync(ConsumeResult`2 result, CancellationToken cancellationToken)',
      InnerExceptionType: 'Grpc.Core.RpcException',
      InnerExceptionMessage: 'Status(StatusCode="Unavailable", Detail="Error connecting to subchannel.")',
      InnerExceptionStackTrace: null,
      Topic: 'notifications',
      EventKey: DLQ_EVENT_KEY,
      Timestamp: '2025-12-18T10:00:00.1234567+00:00',
      OriginalKeyJson: '{"EventType":"SendSms"}',
      OriginalValueJson: ORIGINAL_VALUE_JSON,
      OriginalHeaders: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      AttemptCount: 3,
      FailureType: 2,
    },
  },
};

export const CSHARP_VECTORS: readonly MessageVector[] = [
  SEND_SMS_CURRENT,
  SEND_SMS_ENCRYPTED,
  SEND_SMS_EARLIER,
  SEND_SMS_SPECIAL_CHARACTERS,
  CLIENT_CREATED_NOTIFICATION,
  CLIENT_CREATED,
  CLIENT_UPDATED,
  PAYMENT_COMPLETED,
  FOREIGN_PRODUCT_CREATED,
  FOREIGN_PRODUCT_SYNCHRONIZED,
  DEAD_LETTER_CSHARP,
];
