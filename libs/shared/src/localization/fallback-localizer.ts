import { Logger } from '@nestjs/common';
import { KEYS_MISSING_UPSTREAM } from './catalog.js';
import { isLocalizationError } from './errors.js';
import { isClosableLocalizer, type ClosableLocalizer, type Localizer } from './localizer.js';

/** Why a render came from the fallback: the primary lacked the key, or rejected the request. */
export interface LocalizationFallback {
  resourceKey: string;
  locale: string;
  reason: 'unknown-key' | 'rejected';
  /** true when the key is on the documented list of keys the LocalizationApi is known to lack. */
  expected: boolean;
}

export interface FallbackLocalizerOptions {
  /** Called on every render the fallback served (metrics, tests). Default: a log line. */
  onFallback?: (fallback: LocalizationFallback) => void;
}

/**
 * Asks `primary` (the LocalizationApi) first; when it answers that it does not have the key
 * (`unknown-key`, `success=false` on the wire), or rejects the request (`rejected`: a placeholder
 * without a parameter), renders from `fallback` (the embedded catalog) instead of failing the
 * user's request. This applies to any key, not only the documented list of keys the real
 * LocalizationApi lacks (KEYS_MISSING_UPSTREAM): a key removed or renamed upstream keeps working.
 * If the fallback does not have the key either, the primary's error is thrown. Outages (`unavailable`,
 * `timeout`) are not masked: they stay transient errors, so callers retry as before.
 */
export class FallbackLocalizer implements ClosableLocalizer {
  private readonly logger = new Logger('Localization');
  private readonly onFallback: (fallback: LocalizationFallback) => void;

  constructor(
    readonly primary: Localizer,
    readonly fallback: Localizer,
    options: FallbackLocalizerOptions = {},
  ) {
    this.onFallback = options.onFallback ?? ((f) => this.log(f));
  }

  async localize(resourceKey: string, locale: string, replacements: Readonly<Record<string, string>> = {}): Promise<string> {
    try {
      return await this.primary.localize(resourceKey, locale, replacements);
    } catch (error) {
      if (!isLocalizationError(error) || (error.kind !== 'unknown-key' && error.kind !== 'rejected')) throw error;
      const text = await this.fallback.localize(resourceKey, locale, replacements).catch((fallbackError: unknown) => {
        throw isLocalizationError(fallbackError) && fallbackError.kind === 'unknown-key' ? error : fallbackError;
      });
      this.onFallback({ resourceKey, locale, reason: error.kind, expected: error.kind === 'unknown-key' && isKnownMissing(resourceKey) });
      return text;
    }
  }

  async close(): Promise<void> {
    if (isClosableLocalizer(this.primary)) await this.primary.close();
    if (isClosableLocalizer(this.fallback)) await this.fallback.close();
  }

  private log(f: LocalizationFallback): void {
    // Never the replacements (personal data) nor the server's message beyond the key.
    const entry = { msg: 'rendered from the embedded catalog', resourceKey: f.resourceKey, locale: f.locale, reason: f.reason };
    if (f.expected) this.logger.debug(entry);
    else this.logger.warn(entry);
  }
}

const KNOWN_MISSING: ReadonlySet<string> = new Set(KEYS_MISSING_UPSTREAM);
const isKnownMissing = (key: string): boolean => KNOWN_MISSING.has(key);
