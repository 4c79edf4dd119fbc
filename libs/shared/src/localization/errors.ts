export type LocalizationErrorKind = 'unknown-key' | 'rejected' | 'unavailable' | 'timeout';

/**
 * The only error a Localizer throws. `transient` says whether trying again later can help:
 * unavailable and timeout are transient; an unknown resource key, and a request the LocalizationApi
 * rejects (`rejected`: a placeholder of its text has no parameter, or the locale is not a culture
 * name), are permanent: the same request fails the same way.
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
    this.transient = kind === 'unavailable' || kind === 'timeout';
  }

  static unknownKey(resourceKey: string, locale: string): LocalizationError {
    return new LocalizationError('unknown-key', `Unknown resource key '${resourceKey}'`, resourceKey, locale);
  }
}

export const isLocalizationError = (e: unknown): e is LocalizationError => e instanceof LocalizationError;
