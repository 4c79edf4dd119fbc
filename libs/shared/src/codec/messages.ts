import type { EncodedBytes } from './bytes.js';

// ---- notifications topic ----

export const SEND_SMS_TYPE = 'notification.sendSms';

/** Notifications without a phone number; the notifier cannot deliver them (unsupported type). */
export const CLIENT_NOTIFICATION_TYPES = [
  'notification.clientCreated',
  'notification.clientUpdated',
  'notification.startSubscription',
  'notification.endSubscription',
] as const;
export type ClientNotificationType = (typeof CLIENT_NOTIFICATION_TYPES)[number];

export const NOTIFICATION_TYPES = [SEND_SMS_TYPE, ...CLIENT_NOTIFICATION_TYPES] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface SendSmsNotification {
  $type: typeof SEND_SMS_TYPE;
  /** Plain E.164 (`+…`) or the encrypted form; see `resolvePhoneNumber`. */
  phoneNumber: string;
  resourceKey: string;
  /** e.g. `en-US`. */
  locale: string;
  /** Placeholder values; keys are kept exactly as written. Decoded dictionaries have a null prototype. */
  replacements: Record<string, string>;
}

export interface ClientNotification {
  $type: ClientNotificationType;
  resourceKey: string;
  locale: string;
  replacements: Record<string, string>;
}

export type NotificationEvent = SendSmsNotification | ClientNotification;

// ---- payments topic ----

export const PAYMENT_COMPLETED_TYPE = 'payment.completed';
export const PAYMENT_TYPES = [PAYMENT_COMPLETED_TYPE] as const;

export interface PaymentCompleted {
  $type: typeof PAYMENT_COMPLETED_TYPE;
  /** Lower-case hyphenated GUID. */
  clientId: string;
  /** Stripe price id (`price_…`). */
  priceForeignServiceId: string;
  /** Lower-case hyphenated GUID; also the Kafka key's `eventKey`. */
  paymentConfirmationId: string;
}

export type PaymentEvent = PaymentCompleted;

// ---- foreign-products topic ----

export const FOREIGN_PRODUCT_CREATED_TYPE = 'foreignProduct.created';
export const FOREIGN_PRODUCT_SYNCHRONIZED_TYPE = 'foreignProduct.synchronized';
export const FOREIGN_PRODUCT_TYPES = [FOREIGN_PRODUCT_CREATED_TYPE, FOREIGN_PRODUCT_SYNCHRONIZED_TYPE] as const;

export interface ForeignProductCreated {
  $type: typeof FOREIGN_PRODUCT_CREATED_TYPE;
  /** Stripe product id (`prod_…`). */
  foreignProductId: string;
  name: string;
  description: string | null;
  iconUrl: string | null;
}

export interface ForeignProductSynchronized {
  $type: typeof FOREIGN_PRODUCT_SYNCHRONIZED_TYPE;
  /** The gateway's global `Plan.id` (opaque). */
  planNodeId: string;
  foreignProductId: string;
  name: string;
  description: string | null;
  iconUrl: string | null;
}

export type ForeignProductEvent = ForeignProductCreated | ForeignProductSynchronized;

// ---- deadletter topic ----

export const DEAD_LETTER_TYPE = 'deadletter.record';
export const DEAD_LETTER_TYPES = [DEAD_LETTER_TYPE] as const;

export const DEAD_LETTER_SOURCES = ['notifier', 'webhooks'] as const;
export type DeadLetterSource = (typeof DEAD_LETTER_SOURCES)[number];

/**
 * Stable machine-readable reason codes (docs/contract.md describes each). The type stays open:
 * `twilio.<error code>` and `stripe.<problem>` families grow without a codec change.
 */
export const KNOWN_REASON_CODES = [
  'poison.invalid-utf8',
  'poison.invalid-json',
  'poison.not-an-object',
  'poison.missing-type',
  'poison.type-not-first',
  'poison.unknown-type',
  'poison.invalid-fields',
  'poison.unsupported-type',
  'poison.phone-decrypt',
  'poison.invalid-phone',
  'poison.unknown-resource-key',
  'twilio.21211',
  'twilio.21610',
  'twilio.21614',
  'retries-exhausted',
  'stripe.client-not-found',
  'stripe.plan-not-found',
] as const;
export type KnownReasonCode = (typeof KNOWN_REASON_CODES)[number];
// `string & {}` keeps editor completion for the known codes while accepting any string.
export type DeadLetterReasonCode = KnownReasonCode | (string & {});

/** The message as it was received, byte-exact. */
export interface DeadLetterOriginal {
  topic?: string;
  partition?: number;
  /** Kafka offsets are 64-bit, so they travel as decimal strings. */
  offset?: string;
  key: EncodedBytes | null;
  /** `null` for a Kafka tombstone. */
  value: EncodedBytes | null;
  headers: Record<string, EncodedBytes>;
}

export interface DeadLetterRecord {
  $type: typeof DEAD_LETTER_TYPE;
  /** UUID v4, lower-case; also the Kafka key's `eventKey`. */
  id: string;
  source: DeadLetterSource;
  reasonCode: DeadLetterReasonCode;
  /** For humans; never contains secrets or phone numbers. */
  reason: string;
  /** Processing attempts made before giving up (0 when nothing was attempted). */
  attempts: number;
  /** ISO-8601 with offset (`Z` for UTC). */
  failedAt: string;
  stripeEventId?: string;
  stripeEventType?: string;
  original: DeadLetterOriginal;
}

export type DeadLetterEvent = DeadLetterRecord;

// ---- all ----

export type WireEvent = NotificationEvent | PaymentEvent | ForeignProductEvent | DeadLetterEvent;
export type WireEventType = WireEvent['$type'];

/**
 * Property order of every message as the encoder writes it: `$type` first, then the contract's
 * fields. The dead-letter `original` object is written as `topic, partition, offset, key, value, headers`.
 */
export const FIELD_ORDER: { readonly [T in WireEventType]: readonly (keyof Extract<WireEvent, { $type: T }>)[] } = {
  'notification.sendSms': ['$type', 'phoneNumber', 'resourceKey', 'locale', 'replacements'],
  'notification.clientCreated': ['$type', 'resourceKey', 'locale', 'replacements'],
  'notification.clientUpdated': ['$type', 'resourceKey', 'locale', 'replacements'],
  'notification.startSubscription': ['$type', 'resourceKey', 'locale', 'replacements'],
  'notification.endSubscription': ['$type', 'resourceKey', 'locale', 'replacements'],
  'payment.completed': ['$type', 'clientId', 'priceForeignServiceId', 'paymentConfirmationId'],
  'foreignProduct.created': ['$type', 'foreignProductId', 'name', 'description', 'iconUrl'],
  'foreignProduct.synchronized': ['$type', 'planNodeId', 'foreignProductId', 'name', 'description', 'iconUrl'],
  'deadletter.record': [
    '$type',
    'id',
    'source',
    'reasonCode',
    'reason',
    'attempts',
    'failedAt',
    'stripeEventId',
    'stripeEventType',
    'original',
  ],
};

export const ORIGINAL_FIELD_ORDER: readonly (keyof DeadLetterOriginal)[] = [
  'topic',
  'partition',
  'offset',
  'key',
  'value',
  'headers',
];
