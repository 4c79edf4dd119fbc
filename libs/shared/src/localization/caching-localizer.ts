import { LRUCache } from 'lru-cache';
import { isClosableLocalizer, type ClosableLocalizer, type Localizer } from './localizer.js';
import { SUPPORTED_LOCALES, resolveLocale } from './render.js';

export interface CachingLocalizerOptions {
  /** Most rendered strings kept (LRU). */
  maxEntries: number;
  /**
   * Most memory the keys and texts take (2 bytes a character). Renders quote user text (a draft
   * of up to 1600 characters is echoed back in both key and text, up to ~13 KB an entry), so a
   * count alone would let 10,000 entries take ~130 MB. A render larger than this is not cached.
   */
  maxBytes: number;
  /** How long a rendered string stays fresh. */
  ttlMs: number;
  /** Locales the backend serves, to key the cache by the resolved locale (`es-MX` and `es-ES` share). */
  locales?: readonly string[];
  /** Time source in ms for TTL (tests inject a fake clock). */
  now?: () => number;
}

/**
 * Caches successful renders of another Localizer, keyed by (key, resolved locale, replacements in
 * sorted order). Concurrent misses for the same render share one backend call (single-flight);
 * failures are never cached, so the next call asks the backend again.
 */
export class CachingLocalizer implements ClosableLocalizer {
  private readonly cache: LRUCache<string, string>;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly resolvedLocales = new Map<string, string>();
  private readonly locales: readonly string[];

  constructor(
    readonly inner: Localizer,
    options: CachingLocalizerOptions,
  ) {
    this.locales = options.locales ?? SUPPORTED_LOCALES;
    this.cache = new LRUCache<string, string>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (text, key) => Math.max(1, 2 * (key.length + text.length)),
      ttl: options.ttlMs,
      // Check expiry against the clock on every read (the default caches `now` for 1 ms real time).
      ttlResolution: 0,
      ...(options.now ? { perf: { now: options.now } } : {}),
    });
  }

  /** Renders currently cached (expired ones may still count until they are touched or evicted). */
  get size(): number {
    return this.cache.size;
  }

  /** Memory the cached keys and texts take, as counted against `maxBytes`. */
  get bytes(): number {
    return this.cache.calculatedSize;
  }

  localize(resourceKey: string, locale: string, replacements: Readonly<Record<string, string>> = {}): Promise<string> {
    const resolved = this.resolveLocale(locale);
    const key = cacheKey(resourceKey, resolved, replacements);
    const cached = this.cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.inner
      .localize(resourceKey, resolved, replacements)
      .then((text) => {
        this.cache.set(key, text);
        return text;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private resolveLocale(locale: string): string {
    let resolved = this.resolvedLocales.get(locale);
    if (resolved === undefined) {
      // Locales come from events; bound the memo so junk values cannot grow it without limit.
      if (this.resolvedLocales.size >= 1000) this.resolvedLocales.clear();
      resolved = resolveLocale(locale, this.locales);
      this.resolvedLocales.set(locale, resolved);
    }
    return resolved;
  }

  clear(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    this.cache.clear();
    if (isClosableLocalizer(this.inner)) await this.inner.close();
  }
}

/** Length-prefixed parts: unambiguous whatever characters keys and values contain, and cheap. */
function cacheKey(resourceKey: string, locale: string, replacements: Readonly<Record<string, string>>): string {
  const names = Object.keys(replacements);
  if (names.length > 1) names.sort();
  let key = `${resourceKey.length}:${resourceKey}${locale.length}:${locale}`;
  for (const name of names) {
    const raw = replacements[name] as string | null | undefined;
    if (raw === undefined || raw === null) continue; // renders like an absent replacement
    const value = String(raw);
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return key;
}
