import type { EncodedBytes } from './bytes.js';

// The messages of the contract as the TypeScript code sees them (camelCase). The wire names are
// PascalCase, as the C# records declare them; `wire-shapes.ts` maps one to the other.

// ---- notifications topic ----

export const SEND_SMS_TYPE = 'notification.sendSms';

/** Notifications of the C# family that name no recipient: expected traffic, never sent as SMS. */
export const CLIENT_NOTIFICATION_TYPES = [
  'notification.clientCreated',
  'notification.clientUpdated',
  'notification.startSubscription',
  'notification.endSubscription',
] as const;
export type ClientNotificationType = (typeof CLIENT_NOTIFICATION_TYPES)[number];

/** Client events that upstream's ClientEventProducer also writes to the notifications topic. */
export const CLIENT_EVENT_TYPES = ['client.created', 'client.updated'] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

export const NOTIFICATION_TYPES = [SEND_SMS_TYPE, ...CLIENT_NOTIFICATION_TYPES] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface SendSmsNotification {
  $type: typeof SEND_SMS_TYPE;
  /**
   * Plain E.164 (`+…`) or the encrypted form; see `resolvePhoneNumber`. `null` in the earlier
   * generation, whose recipient is the key's `EventKey` (see `sendSmsRecipient`).
   */
  phoneNumber: string | null;
  resourceKey: string;
  /** e.g. `en-US`; empty when the producer gave none. */
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

/** Only the type is read: the notifier skips these. */
export interface ClientEvent {
  $type: ClientEventType;
}

export type NotificationEvent = SendSmsNotification | ClientNotification | ClientEvent;

// ---- payments topic ----

export const PAYMENT_COMPLETED_TYPE = 'payment.completed';

export interface PaymentCompleted {
  $type: typeof PAYMENT_COMPLETED_TYPE;
  /** Lower-case hyphenated GUID. */
  clientId: string;
  /** Stripe price id (`price_…`). */
  priceForeignServiceId: string;
  /** Lower-case hyphenated GUID. */
  paymentConfirmationId: string;
}

export type PaymentEvent = PaymentCompleted;

// ---- foreign-products topic ----

export const FOREIGN_PRODUCT_CREATED_TYPE = 'foreignProduct.created';
export const FOREIGN_PRODUCT_SYNCHRONIZED_TYPE = 'foreignProduct.synchronized';

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

export type WireEvent = NotificationEvent | PaymentEvent | ForeignProductEvent;
export type WireEventType = WireEvent['$type'];

// ---- deadletter topic ----

/** C#'s FailureType, written as its number. */
export const FailureType = { None: 0, Transient: 1, Permanent: 2, DependencyDown: 3, Fatal: 4 } as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export const DEAD_LETTER_SOURCES = ['notifier', 'webhooks', 'broadcaster'] as const;
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
  'poison.no-recipient',
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

/** C#'s `EventKey`: a type name and a GUID. */
export interface DeadLetterEventKey {
  type: string;
  id: string;
}

/** The message as it was received, byte-exact (this project's addition to the C# record). */
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

/** What this project adds to the C# record; absent on records the C# services wrote. */
export interface EdgeDeadLetterDetails {
  source: DeadLetterSource;
  reasonCode: DeadLetterReasonCode;
  stripeEventId?: string;
  stripeEventType?: string;
  original: DeadLetterOriginal;
}

/**
 * A record of the `deadletter` topic: the C# `DeadLetterEvent`, plus `edge` on the records this
 * project writes. Text fields never hold a stack trace, secret or full phone number when we write them.
 */
export interface DeadLetterRecord {
  exceptionType: string;
  /** For humans. */
  exceptionMessage: string;
  stackTrace: string | null;
  innerExceptionType: string | null;
  innerExceptionMessage: string | null;
  innerExceptionStackTrace: string | null;
  /** The topic the failed message came from (`http:<endpoint>` for a webhook request). */
  topic: string;
  /** `Type` is `MessageFailed`; `Id` identifies the record (the Kafka key's `EventKey.Id` too). */
  eventKey: DeadLetterEventKey;
  /** ISO-8601 with offset. */
  timestamp: string;
  originalKeyJson: string | null;
  originalValueJson: string | null;
  originalHeaders: Record<string, string> | null;
  attemptCount: number;
  failureType: number;
  edge?: EdgeDeadLetterDetails;
}

/** The key of a dead-letter record: the record's own key and the failed message's. */
export interface DeadLetterKey {
  eventKey: DeadLetterEventKey;
  failedKey: DeadLetterEventKey;
}
