// Declarative descriptions of the C# Kafka message types (getnudges/monov4, dotnet/Nudges.Kafka.Events,
// dotnet/Nudges.Kafka/EventKey.cs) as System.Text.Json with default options sees them.
// The reader (strict-reader.ts) and the writer (csharp-writer.ts) both work from these tables.

export type CsType =
  | { kind: 'string' }
  | { kind: 'guid' }
  | { kind: 'int' }
  | { kind: 'enum'; name: string; names: readonly string[] }
  | { kind: 'dateTimeOffset' }
  | { kind: 'stringMap' }
  | { kind: 'object'; type: ObjectTypeName };

export interface CsMember {
  name: string;
  type: CsType;
  /** The C# nullable annotation (`string?`). STJ ignores it on read by default (no RespectNullableAnnotations). */
  nullable: boolean;
  /** A C# `required` member: absent from the JSON → JsonException. Present as null is accepted. */
  required?: boolean;
  /** Get-only and not bound to a constructor parameter: STJ skips the JSON value unread; the member holds `whenMissing`. */
  readOnly?: boolean;
  /** What the C# object holds when the JSON lacks the member, if not the CLR default. */
  whenMissing?: CsValue;
}

export interface CsObjectType {
  kind: 'object';
  name: string;
  /** Declaration order, which is also STJ's write order. */
  members: readonly CsMember[];
  /** Runs after binding, like a C# constructor's argument checks. Returns an error, or nothing. */
  check?: (view: CsObject) => CsError | undefined;
}

export interface CsFamily {
  kind: 'family';
  name: string;
  /** `$type` discriminator → derived type. */
  derived: Readonly<Record<string, CsObjectType>>;
}

export type ObjectTypeName =
  | 'EventKey'
  | 'NotificationKey'
  | 'LegacyNotificationKey'
  | 'ClientKey'
  | 'PaymentKey'
  | 'ForeignProductEventKey'
  | 'DeadLetterEventKey'
  | 'DeadLetterEvent';

/** A Map is accepted by the writer (exact entry order); the reader returns plain null-prototype objects. */
export type CsValue = string | number | null | CsObject | CsStringMap | ReadonlyMap<string, string | null>;
export type CsObject = { [member: string]: CsValue };
export type CsStringMap = Record<string, string | null>;

export type CsExceptionType = 'JsonException' | 'NotSupportedException' | 'ArgumentNullException' | 'ArgumentException';

export interface CsError {
  exception: CsExceptionType;
  message: string;
  /** JSON path as STJ reports it, e.g. `$.EventKey.Id`. */
  path: string;
}

/** A C# exception as the reader reports it (thrown by readLikeCSharpOrThrow). */
export class CSharpException extends Error {
  constructor(
    readonly exception: CsExceptionType,
    readonly csMessage: string,
    readonly path: string,
  ) {
    super(`${exception}: ${csMessage} Path: ${path}`);
    this.name = 'CSharpException';
  }

  toCsError(): CsError {
    return { exception: this.exception, message: this.csMessage, path: this.path };
  }
}

/** What C# holds in `EventKey.Id` after reading: the wire value is never bound (see EVENT_KEY). */
export const CSHARP_NEW_GUID_V7 = '<new Guid v7 from the EventKey(string) constructor>';
/** What C# holds in `DeadLetterEvent.Timestamp` when the JSON lacks it: the property initializer. */
export const CSHARP_UTC_NOW = '<DateTimeOffset.UtcNow at read time>';
export const GUID_EMPTY = '00000000-0000-0000-0000-000000000000';

const str = (name: string, nullable = false, extra: Partial<CsMember> = {}): CsMember => ({
  name,
  type: { kind: 'string' },
  nullable,
  ...extra,
});
const guid = (name: string, extra: Partial<CsMember> = {}): CsMember => ({ name, type: { kind: 'guid' }, nullable: false, ...extra });
const stringMap = (name: string, nullable: boolean): CsMember => ({ name, type: { kind: 'stringMap' }, nullable });
const object = (name: string, members: CsMember[], check?: CsObjectType['check']): CsObjectType => ({
  kind: 'object',
  name,
  members,
  check,
});

const CSHARP_WHITESPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

// EventKey has no parameterless constructor and one public constructor, EventKey(string type), so STJ
// binds "Type" to it and never binds the get-only Id: the constructor mints a fresh Guid v7. Its
// ArgumentException.ThrowIfNullOrWhiteSpace(type) runs on a missing/null/blank Type; STJ does not wrap
// it in a JsonException.
const EVENT_KEY = object('EventKey', [str('Type'), guid('Id', { readOnly: true, whenMissing: CSHARP_NEW_GUID_V7 })], (view) => {
  const type = view['Type'];
  if (type === null) return { exception: 'ArgumentNullException', message: "Value cannot be null. (Parameter 'type')", path: '$' };
  if (typeof type === 'string' && CSHARP_WHITESPACE.test(type)) {
    return {
      exception: 'ArgumentException',
      message: "The value cannot be an empty string or composed entirely of whitespace. (Parameter 'type')",
      path: '$',
    };
  }
  return undefined;
});

// DeadLetterEventKey's properties are initialized to EventKey.Empty, kept when the JSON lacks them.
const EMPTY_EVENT_KEY: CsObject = { Type: 'Empty', Id: GUID_EMPTY };
const eventKey = (name: string, extra: Partial<CsMember> = {}): CsMember => ({
  name,
  type: { kind: 'object', type: 'EventKey' },
  nullable: false,
  ...extra,
});

const FAILURE_TYPE: CsType = { kind: 'enum', name: 'FailureType', names: ['None', 'Transient', 'Permanent', 'DependencyDown', 'Fatal'] };

const RECIPIENTLESS = (name: string) => object(name, [str('ResourceKey'), str('Locale'), stringMap('Replacements', false)]);

export const OBJECT_TYPES = {
  EventKey: EVENT_KEY,
  NotificationKey: object('NotificationKey', [str('EventType')]),
  /** The earlier generation's key: EventKey holds the recipient's E.164 phone number. */
  LegacyNotificationKey: object('LegacyNotificationKey', [str('EventType'), str('EventKey')]),
  ClientKey: object('ClientKey', [guid('ClientId')]),
  PaymentKey: object('PaymentKey', [str('EventType'), str('EventKey')]),
  ForeignProductEventKey: object('ForeignProductEventKey', [str('EventType'), str('EventKey')]),
  DeadLetterEventKey: object('DeadLetterEventKey', [
    eventKey('EventKey', { whenMissing: EMPTY_EVENT_KEY }),
    eventKey('FailedKey', { whenMissing: EMPTY_EVENT_KEY }),
  ]),
  DeadLetterEvent: object('DeadLetterEvent', [
    str('ExceptionType', false, { required: true }),
    str('ExceptionMessage', false, { required: true }),
    str('StackTrace', true),
    str('InnerExceptionType', true),
    str('InnerExceptionMessage', true),
    str('InnerExceptionStackTrace', true),
    str('Topic', false, { required: true }),
    eventKey('EventKey', { required: true }),
    { name: 'Timestamp', type: { kind: 'dateTimeOffset' }, nullable: false, whenMissing: CSHARP_UTC_NOW },
    str('OriginalKeyJson', true),
    str('OriginalValueJson', true),
    stringMap('OriginalHeaders', true),
    { name: 'AttemptCount', type: { kind: 'int' }, nullable: false },
    { name: 'FailureType', type: FAILURE_TYPE, nullable: false },
  ]),
} as const satisfies Record<ObjectTypeName, CsObjectType>;

export const FAMILIES = {
  NotificationEvent: {
    kind: 'family',
    name: 'NotificationEvent',
    derived: {
      'notification.sendSms': object('SendSmsNotificationEvent', [
        str('PhoneNumber'),
        str('ResourceKey'),
        str('Locale'),
        stringMap('Replacements', false),
      ]),
      'notification.clientCreated': RECIPIENTLESS('ClientCreatedNotificationEvent'),
      'notification.clientUpdated': RECIPIENTLESS('ClientUpdatedNotificationEvent'),
      'notification.endSubscription': RECIPIENTLESS('EndSubscriptionNotificationEvent'),
      'notification.startSubscription': RECIPIENTLESS('StartSubscriptionNotificationEvent'),
    },
  },
  /** The earlier generation: SendSms had no PhoneNumber (the key's EventKey was the recipient). */
  LegacyNotificationEvent: {
    kind: 'family',
    name: 'NotificationEvent',
    derived: {
      'notification.sendSms': RECIPIENTLESS('SendSmsNotificationEvent'),
      'notification.clientCreated': RECIPIENTLESS('ClientCreatedNotificationEvent'),
      'notification.clientUpdated': RECIPIENTLESS('ClientUpdatedNotificationEvent'),
      'notification.endSubscription': RECIPIENTLESS('EndSubscriptionNotificationEvent'),
      'notification.startSubscription': RECIPIENTLESS('StartSubscriptionNotificationEvent'),
    },
  },
  ClientEvent: {
    kind: 'family',
    name: 'ClientEvent',
    derived: {
      'client.created': object('ClientCreatedEvent', [guid('UserId'), str('PhoneNumberEncrypted'), str('Name'), str('Locale')]),
      'client.updated': object('ClientUpdatedEvent', [guid('UserId'), str('ClientNodeId')]),
    },
  },
  PaymentEvent: {
    kind: 'family',
    name: 'PaymentEvent',
    derived: {
      'payment.completed': object('PaymentCompletedEvent', [guid('ClientId'), str('PriceForeignServiceId'), guid('PaymentConfirmationId')]),
    },
  },
  ForeignProductEvent: {
    kind: 'family',
    name: 'ForeignProductEvent',
    derived: {
      'foreignProduct.created': object('ForeignProductCreatedEvent', [
        str('ForeignProductId'),
        str('Name'),
        str('Description', true),
        str('IconUrl', true),
      ]),
      'foreignProduct.synchronized': object('ForeignProductSynchronizedEvent', [
        str('PlanNodeId'),
        str('ForeignProductId'),
        str('Name'),
        str('Description', true),
        str('IconUrl', true),
      ]),
    },
  },
} as const satisfies Record<string, CsFamily>;

export type FamilyName = keyof typeof FAMILIES;
export type CsTypeName = ObjectTypeName | FamilyName;

export function describeType(name: CsTypeName): CsObjectType | CsFamily {
  return name in FAMILIES ? FAMILIES[name as FamilyName] : OBJECT_TYPES[name as ObjectTypeName];
}

/** The CLR default a member holds when the JSON lacks it and nothing initializes it. */
export function clrDefault(type: CsType): CsValue {
  switch (type.kind) {
    case 'guid':
      return GUID_EMPTY;
    case 'int':
    case 'enum':
      return 0;
    case 'dateTimeOffset':
      return '0001-01-01T00:00:00+00:00';
    default:
      return null;
  }
}

const GUID_D = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Guid in "D" format (what Utf8JsonReader.TryGetGuid accepts), lower-cased as C# writes it; else undefined. */
export function canonicalGuid(text: string): string | undefined {
  return GUID_D.test(text) ? text.toLowerCase() : undefined;
}

const INT32 = /^-?(?:0|[1-9]\d*)$/;

/** An int32 from a JSON number token, as Utf8JsonReader.TryGetInt32 reads it (no fraction, no exponent). */
export function parseInt32(raw: string): number | undefined {
  if (!INT32.test(raw)) return undefined;
  const value = Number(raw);
  return value >= -2147483648 && value <= 2147483647 ? value + 0 : undefined;
}

// STJ's ISO 8601 profile: a date, optionally Thh:mm[:ss[.fraction]] with an optional Z or ±hh:mm.
// (STJ also takes a few rarer offset spellings such as ±hh; this reader rejects them.)
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,16}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A DateTimeOffset in the form STJ writes it: `yyyy-MM-ddTHH:mm:ss[.fffffff]±hh:mm`, the fraction
 * cut to 7 digits (ticks) with trailing zeros trimmed and omitted when zero, Z written as +00:00.
 * A value without an offset is taken as +00:00: C# would use the host's local offset, and the
 * Nudges containers run in UTC. Returns undefined for text STJ would not parse.
 */
export function canonicalDateTimeOffset(text: string): string | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', offset = '+00:00'] = m;
  if (!validDate(+year!, +month!, +day!) || +hour > 23 || +minute > 59 || +second > 59) return undefined;
  const zone = offset === 'Z' || offset === '-00:00' ? '+00:00' : offset;
  if (+zone.slice(1, 3) * 60 + +zone.slice(4) > 14 * 60 || +zone.slice(4) > 59) return undefined;
  const ticks = fraction.slice(0, 7).replace(/0+$/, '');
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${ticks ? `.${ticks}` : ''}${zone}`;
}

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
