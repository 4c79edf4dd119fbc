export type LocalizationErrorKind = 'unknown-key' | 'unavailable' | 'timeout';

/**
 * The only error a Localizer throws. `transient` says whether trying again later can help:
 * unavailable and timeout are transient, an unknown resource key is permanent.
 */
export class LocalizationError extends Error {
  readonly transient: boolean;

  constructor(
    readonly kind: LocalizationErrorKind,
    message: string,
    readonly resourceKey: string,
    readonly locale: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LocalizationError';
    this.transient = kind !== 'unknown-key';
  }

  static unknownKey(resourceKey: string, locale: string): LocalizationError {
    return new LocalizationError('unknown-key', `Unknown resource key '${resourceKey}'`, resourceKey, locale);
  }
}

export const isLocalizationError = (e: unknown): e is LocalizationError => e instanceof LocalizationError;
