export type DecodeErrorKind =
  'invalid-utf8' | 'invalid-json' | 'not-an-object' | 'missing-type' | 'type-not-first' | 'unknown-type' | 'invalid-fields';

/** Why bytes could not be decoded. Messages never echo field values (they may hold phone numbers). */
export interface DecodeError {
  kind: DecodeErrorKind;
  message: string;
  /** The `$type` read from the value (truncated), when there was one. */
  type?: string;
  /** One line per invalid field for `invalid-fields`, as `path: problem`. */
  issues?: string[];
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** What decoders accept: raw Kafka bytes, a string, or a missing (tombstone) value. */
export type DecodeInput = Buffer | Uint8Array | string | null | undefined;

export interface DecodeOptions {
  /**
   * Accept `$type` in any position. Off by default: a C# reader refuses a value whose first
   * property is not `$type`, and so do ours, so a writer that breaks the rule is caught here too.
   */
  allowTypeAnywhere?: boolean;
}

export const decoded = <T>(value: T): DecodeResult<T> => ({ ok: true, value });

export const decodeFailure = <T = never>(
  kind: DecodeErrorKind,
  message: string,
  extra: Pick<DecodeError, 'type' | 'issues'> = {},
): DecodeResult<T> => ({ ok: false, error: { kind, message, ...extra } });

/** Shortens attacker-controlled text before it goes into a message. */
export function truncate(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
