import { z } from 'zod';
import {
  CLIENT_EVENT_TYPES,
  CLIENT_NOTIFICATION_TYPES,
  FOREIGN_PRODUCT_CREATED_TYPE,
  FOREIGN_PRODUCT_SYNCHRONIZED_TYPE,
  PAYMENT_COMPLETED_TYPE,
  SEND_SMS_TYPE,
  type ForeignProductEvent,
  type NotificationEvent,
  type PaymentEvent,
  type WireEvent,
} from './messages.js';

// How each message type of the contract is written on the wire: its PascalCase property names
// in the order the C# record declares them, the TypeScript name each maps to, and the rule each
// value follows. Names are matched case-sensitively, as System.Text.Json's default reader does.

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What System.Text.Json accepts for a Guid: the 36-character hyphenated form, either case. */
const GUID_READ_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const nonEmpty = () => z.string().min(1, 'must not be empty');
/** Accepts any case (as C# does) and gives back the canonical lower-case form. */
export const guid = () =>
  z
    .string()
    .regex(GUID_READ_PATTERN, 'must be a hyphenated GUID')
    .transform((s) => s.toLowerCase());
/** A missing nullable property reads as null, as it does in C#. Writers always write it. */
export const nullableString = () => z.string().nullable().default(null);

const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A JSON object used as a dictionary. zod's `z.record` drops a `__proto__` key, so this copies the
 * entries itself into a null-prototype object: every key survives as written, and lookups such as
 * `dict['constructor']` cannot reach `Object.prototype`.
 */
export function dictionaryOf<T>(valueSchema: z.ZodType<T>) {
  return z.unknown().transform((input, ctx): Record<string, T> => {
    if (!isJsonObject(input)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
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

/** A missing dictionary reads as empty: C# would bind null and fail later, we simply have no placeholders. */
const replacements = () => z.preprocess((v) => v ?? {}, dictionaryOf(z.string({ error: 'expected a string value' })));

/** One property: its wire (PascalCase) name, its TypeScript name, and its rule. */
export interface WireField {
  readonly wire: string;
  readonly name: string;
  readonly rule: z.ZodType;
  /** Readers accept it missing (earlier generation); writers must write it. */
  readonly requiredOnWrite?: boolean;
}

export interface WireShape<T> {
  readonly type: string;
  readonly fields: readonly WireField[];
  /** Reads a parsed wire object (PascalCase) into the TypeScript form. */
  readonly read: z.ZodType<T>;
}

const field = (wire: string, rule: z.ZodType, requiredOnWrite?: boolean): WireField => ({
  wire,
  name: wire[0].toLowerCase() + wire.slice(1),
  rule,
  requiredOnWrite,
});

function shape<T>(type: string, fields: readonly WireField[]): WireShape<T> {
  const wireObject = z.object(Object.fromEntries(fields.map((f) => [f.wire, f.rule])));
  const read = wireObject.transform((wire) => {
    const out: Record<string, unknown> = { $type: type };
    for (const f of fields) out[f.name] = (wire as Record<string, unknown>)[f.wire];
    return out as T;
  });
  return { type, fields, read: read as unknown as z.ZodType<T> };
}

const notificationFields = [
  field('ResourceKey', nonEmpty()),
  field(
    'Locale',
    z
      .string()
      .nullable()
      .transform((l) => l ?? '')
      .default(''),
  ),
  field('Replacements', replacements()),
];

const sendSms = shape<NotificationEvent>(SEND_SMS_TYPE, [
  field('PhoneNumber', nonEmpty().nullable().default(null), true),
  ...notificationFields,
]);

const clientNotifications = CLIENT_NOTIFICATION_TYPES.map((t) => shape<NotificationEvent>(t, notificationFields));
// The notifier only needs to recognise these; their properties (UserId, PhoneNumberEncrypted, ...) are not read.
const clientEvents = CLIENT_EVENT_TYPES.map((t) => shape<NotificationEvent>(t, []));

const paymentCompleted = shape<PaymentEvent>(PAYMENT_COMPLETED_TYPE, [
  field('ClientId', guid()),
  field('PriceForeignServiceId', nonEmpty()),
  field('PaymentConfirmationId', guid()),
]);

const productFields = [
  field('ForeignProductId', nonEmpty()),
  field('Name', z.string()),
  field('Description', nullableString()),
  field('IconUrl', nullableString()),
];
const productCreated = shape<ForeignProductEvent>(FOREIGN_PRODUCT_CREATED_TYPE, productFields);
const productSynchronized = shape<ForeignProductEvent>(FOREIGN_PRODUCT_SYNCHRONIZED_TYPE, [
  field('PlanNodeId', nonEmpty()),
  ...productFields,
]);

type ShapeMap<T> = ReadonlyMap<string, WireShape<T>>;
const byType = <T>(shapes: WireShape<T>[]): ShapeMap<T> => new Map(shapes.map((s) => [s.type, s]));

// Maps (not plain objects) so a `$type` such as "__proto__" or "constructor" finds nothing.
export const NOTIFICATION_SHAPES: ShapeMap<NotificationEvent> = byType([sendSms, ...clientNotifications, ...clientEvents]);
export const PAYMENT_SHAPES: ShapeMap<PaymentEvent> = byType([paymentCompleted]);
export const FOREIGN_PRODUCT_SHAPES: ShapeMap<ForeignProductEvent> = byType([productCreated, productSynchronized]);
export const ALL_SHAPES: ShapeMap<WireEvent> = new Map<string, WireShape<WireEvent>>([
  ...NOTIFICATION_SHAPES,
  ...PAYMENT_SHAPES,
  ...FOREIGN_PRODUCT_SHAPES,
]);
