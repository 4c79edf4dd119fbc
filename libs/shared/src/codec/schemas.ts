import { z } from 'zod';
import { isCanonicalBase64, isWellFormedUnicode, type EncodedBytes } from './bytes.js';
import {
  CLIENT_NOTIFICATION_TYPES,
  DEAD_LETTER_SOURCES,
  DEAD_LETTER_TYPE,
  FOREIGN_PRODUCT_CREATED_TYPE,
  FOREIGN_PRODUCT_SYNCHRONIZED_TYPE,
  PAYMENT_COMPLETED_TYPE,
  SEND_SMS_TYPE,
  type ClientNotification,
  type DeadLetterEvent,
  type DeadLetterOriginal,
  type DeadLetterRecord,
  type ForeignProductCreated,
  type ForeignProductEvent,
  type ForeignProductSynchronized,
  type NotificationEvent,
  type PaymentCompleted,
  type PaymentEvent,
  type SendSmsNotification,
  type WireEvent,
} from './messages.js';

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const nonEmpty = () => z.string().min(1, 'must not be empty');
const guid = () => z.string().regex(GUID_PATTERN, 'must be a lower-case hyphenated GUID');
/** Nullable; a missing property reads as null (as the C# reader does). Writers always write it. */
const nullableString = () => z.string().nullable().default(null);

const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A JSON object used as a dictionary. zod's `z.record` drops a `__proto__` key, so this copies the
 * entries itself into a null-prototype object: every key survives as written, and lookups such as
 * `dict['constructor']` cannot reach `Object.prototype`.
 */
export function dictionaryOf<T>(valueSchema: z.ZodType<T>) {
  return z.unknown().transform((input, ctx): Record<string, T> => {
    if (!isJsonObject(input)) {
      ctx.addIssue({ code: 'custom', message: 'is required and must be a JSON object' });
      return z.NEVER;
    }
    const out = Object.create(null) as Record<string, T>;
    for (const [name, value] of Object.entries(input)) {
      const parsed = valueSchema.safeParse(value);
      if (parsed.success) out[name] = parsed.data;
      else ctx.addIssue({ code: 'custom', message: `[${JSON.stringify(name)}]: ${parsed.error.issues[0]?.message}` });
    }
    return out;
  });
}

const replacements = () => dictionaryOf(z.string({ error: 'expected a string value' }));

export const sendSmsSchema: z.ZodType<SendSmsNotification> = z.object({
  $type: z.literal(SEND_SMS_TYPE),
  phoneNumber: nonEmpty(),
  resourceKey: nonEmpty(),
  locale: z.string(),
  replacements: replacements(),
});

export const clientNotificationSchema: z.ZodType<ClientNotification> = z.object({
  $type: z.enum(CLIENT_NOTIFICATION_TYPES),
  resourceKey: nonEmpty(),
  locale: z.string(),
  replacements: replacements(),
});

export const paymentCompletedSchema: z.ZodType<PaymentCompleted> = z.object({
  $type: z.literal(PAYMENT_COMPLETED_TYPE),
  clientId: guid(),
  priceForeignServiceId: nonEmpty(),
  paymentConfirmationId: guid(),
});

export const foreignProductCreatedSchema: z.ZodType<ForeignProductCreated> = z.object({
  $type: z.literal(FOREIGN_PRODUCT_CREATED_TYPE),
  foreignProductId: nonEmpty(),
  name: z.string(),
  description: nullableString(),
  iconUrl: nullableString(),
});

export const foreignProductSynchronizedSchema: z.ZodType<ForeignProductSynchronized> = z.object({
  $type: z.literal(FOREIGN_PRODUCT_SYNCHRONIZED_TYPE),
  planNodeId: nonEmpty(),
  foreignProductId: nonEmpty(),
  name: z.string(),
  description: nullableString(),
  iconUrl: nullableString(),
});

export const encodedBytesSchema: z.ZodType<EncodedBytes> = z.discriminatedUnion('encoding', [
  z.object({
    encoding: z.literal('utf8'),
    data: z.string().refine(isWellFormedUnicode, 'utf8 data must not contain unpaired surrogates'),
  }),
  z.object({
    encoding: z.literal('base64'),
    data: z.string().refine(isCanonicalBase64, 'base64 data must be canonical padded base64'),
  }),
]);

const originalSchema: z.ZodType<DeadLetterOriginal> = z.object({
  topic: nonEmpty().optional(),
  partition: z.int().min(0).optional(),
  offset: z.string().regex(/^(0|[1-9]\d*)$/, 'must be a non-negative decimal integer').optional(),
  key: encodedBytesSchema.nullable(),
  value: encodedBytesSchema.nullable(),
  headers: dictionaryOf(encodedBytesSchema),
});

export const deadLetterRecordSchema: z.ZodType<DeadLetterRecord> = z.object({
  $type: z.literal(DEAD_LETTER_TYPE),
  id: guid(),
  source: z.enum(DEAD_LETTER_SOURCES),
  reasonCode: z.string().regex(/^\S{1,200}$/, 'must be 1 to 200 characters without whitespace'),
  reason: nonEmpty(),
  attempts: z.int().min(0),
  failedAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 timestamp with offset' }),
  stripeEventId: nonEmpty().optional(),
  stripeEventType: nonEmpty().optional(),
  original: originalSchema,
});

type SchemaMap<T> = ReadonlyMap<string, z.ZodType<T>>;

const notificationEntries = [SEND_SMS_TYPE, ...CLIENT_NOTIFICATION_TYPES].map(
  (t) => [t, t === SEND_SMS_TYPE ? sendSmsSchema : clientNotificationSchema] as const,
);

// Maps (not plain objects) so a `$type` such as "__proto__" or "constructor" finds nothing.
export const NOTIFICATION_SCHEMAS: SchemaMap<NotificationEvent> = new Map<string, z.ZodType<NotificationEvent>>(
  notificationEntries,
);
export const PAYMENT_SCHEMAS: SchemaMap<PaymentEvent> = new Map([[PAYMENT_COMPLETED_TYPE, paymentCompletedSchema]]);
export const FOREIGN_PRODUCT_SCHEMAS: SchemaMap<ForeignProductEvent> = new Map<string, z.ZodType<ForeignProductEvent>>([
  [FOREIGN_PRODUCT_CREATED_TYPE, foreignProductCreatedSchema],
  [FOREIGN_PRODUCT_SYNCHRONIZED_TYPE, foreignProductSynchronizedSchema],
]);
export const DEAD_LETTER_SCHEMAS: SchemaMap<DeadLetterEvent> = new Map([[DEAD_LETTER_TYPE, deadLetterRecordSchema]]);

export const ALL_SCHEMAS: SchemaMap<WireEvent> = new Map<string, z.ZodType<WireEvent>>([
  ...NOTIFICATION_SCHEMAS,
  ...PAYMENT_SCHEMAS,
  ...FOREIGN_PRODUCT_SCHEMAS,
  ...DEAD_LETTER_SCHEMAS,
]);
