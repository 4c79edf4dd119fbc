import { z } from 'zod';

/** Thrown when the environment does not satisfy an app's schema; `problems` has one line per variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates `env` against `schema` and returns the typed result. Every problem is reported on its
 * own line, naming the variable; values are never echoed back, because some of them are secrets.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const raw = env[String(issue.path[0])];
    const unset = raw === undefined || raw.trim() === '';
    // A custom check (a rule across variables) has its own message even when its variable is unset (at its default).
    return `${name}: ${unset && issue.code !== 'custom' ? 'is required but not set' : issue.message}`;
  });
  throw new ConfigValidationError([...new Set(problems)]);
}

// ---- reusable field parsers (env values are always strings) ----

/** A blank value counts as unset: `FOO=` in a .env file means "use the default". */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A string with a default; blank counts as unset. */
export const stringOr = (fallback: string) => z.preprocess(blankToUndefined, z.string().default(fallback));

/** One of `values`, with a default; the message lists them. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.preprocess(blankToUndefined, z.enum(values, { error: `must be ${values.join(' or ')}` }).default(fallback));

/** An interface to listen on; the default is every interface. */
export const listenHost = () => stringOr('0.0.0.0');

/** A required, non-empty string. */
export const requiredString = () => z.preprocess(blankToUndefined, z.string({ error: 'is required but not set' }));

/** An optional string; blank counts as unset. */
export const optionalString = () => z.preprocess(blankToUndefined, z.string().optional());

/** An absolute http(s) URL. */
export const httpUrl = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'is required but not set' })
      .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'must be an absolute http(s) URL'),
  );

export const optionalHttpUrl = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'must be an absolute http(s) URL')
      .optional(),
  );

/** A TCP port; 0 asks the OS for a free one (tests). */
export const port = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a TCP port number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  );

export const positiveInt = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be greater than 0').default(fallback),
  );

export const nonNegativeInt = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(fallback),
  );

export const optionalPositiveInt = () =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be greater than 0').optional(),
  );

export const optionalPositiveNumber = () =>
  z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0').optional());

export const bool = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );

/** A comma-separated list, trimmed, empty entries dropped. */
export const csv = (fallback?: string) =>
  z.preprocess(
    (v) => blankToUndefined(v) ?? fallback,
    z
      .string({ error: 'is required but not set' })
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((list) => list.length > 0, 'must list at least one value'),
  );

/** `host:port` pairs, comma-separated, as in `Kafka__BrokerList`. */
export const brokerList = () =>
  csv().refine((list) => list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), 'must be a comma-separated list of host:port');
