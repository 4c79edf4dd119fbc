import { CachingLocalizer } from './caching-localizer.js';
import { LocalizationError } from './errors.js';
import type { Localizer } from './localizer.js';

/** A backend that records each lookup and answers when told to (or at once). */
class FakeBackend implements Localizer {
  readonly lookups: Array<{ key: string; locale: string; replacements: Record<string, string> }> = [];
  failNext: LocalizationError[] = [];
  closed = 0;

  async localize(key: string, locale: string, replacements: Readonly<Record<string, string>> = {}): Promise<string> {
    this.lookups.push({ key, locale, replacements: { ...replacements } });
    await Promise.resolve();
    const failure = this.failNext.shift();
    if (failure) throw failure;
    return `${key}|${locale}|${JSON.stringify(replacements)}#${this.lookups.length}`;
  }

  close(): void {
    this.closed += 1;
  }
}

const unavailable = () => new LocalizationError('unavailable', 'down', 'K', 'en-US');

describe('CachingLocalizer', () => {
  let backend: FakeBackend;
  let now: number;
  let cache: CachingLocalizer;

  beforeEach(() => {
    backend = new FakeBackend();
    now = 1_000_000;
    cache = new CachingLocalizer(backend, { maxEntries: 3, maxBytes: 1024 * 1024, ttlMs: 1000, now: () => now });
  });

  it('serves 100k concurrent identical renders with one backend lookup', async () => {
    const big = new CachingLocalizer(backend, { maxEntries: 10_000, maxBytes: 1024 * 1024, ttlMs: 300_000 });
    const renders = await Promise.all(Array.from({ length: 100_000 }, () => big.localize('AnnouncementSent', 'es-ES', { count: '47' })));
    expect(backend.lookups).toHaveLength(1);
    expect(new Set(renders).size).toBe(1);
    expect(renders[0]).toBe(renders[99_999]);
  });

  it('serves later identical renders from the cache', async () => {
    const first = await cache.localize('AnnouncementSent', 'es-ES', { count: '47' });
    for (let i = 0; i < 1000; i++) expect(await cache.localize('AnnouncementSent', 'es-ES', { count: '47' })).toBe(first);
    expect(backend.lookups).toHaveLength(1);
  });

  it('keys by resolved locale and by replacements whatever their order', async () => {
    await cache.localize('T', 'es-ES', { a: '1', b: '2' });
    await cache.localize('T', 'es-MX', { b: '2', a: '1' });
    await cache.localize('T', 'es_es', { a: '1', b: '2' });
    expect(backend.lookups).toEqual([{ key: 'T', locale: 'es-ES', replacements: { a: '1', b: '2' } }]);
  });

  it('tells apart different keys, locales and replacement values', async () => {
    await cache.localize('T', 'en-US', { a: '1' });
    await cache.localize('T', 'es-ES', { a: '1' });
    await cache.localize('T', 'en-US', { a: '2' });
    await cache.localize('U', 'en-US', { a: '1' });
    expect(backend.lookups).toHaveLength(4);
  });

  it('does not confuse replacements that would concatenate alike', async () => {
    const big = new CachingLocalizer(backend, { maxEntries: 10, maxBytes: 1024 * 1024, ttlMs: 1000 });
    const one = await big.localize('T', 'en-US', { a: '1:b', b: '' });
    const two = await big.localize('T', 'en-US', { a: '1', b: ':b' });
    expect(one).not.toBe(two);
    expect(backend.lookups).toHaveLength(2);
  });

  it('holds at most maxEntries renders, evicting the least recently used', async () => {
    for (const n of ['1', '2', '3']) await cache.localize('T', 'en-US', { n });
    await cache.localize('T', 'en-US', { n: '1' }); // touch 1: 2 is now the oldest
    await cache.localize('T', 'en-US', { n: '4' }); // evicts 2
    expect(cache.size).toBe(3);
    expect(backend.lookups).toHaveLength(4);

    await cache.localize('T', 'en-US', { n: '1' });
    expect(backend.lookups).toHaveLength(4);
    await cache.localize('T', 'en-US', { n: '2' });
    expect(backend.lookups).toHaveLength(5);
  });

  it('holds at most maxBytes of keys and texts however long the quoted user text is', async () => {
    const maxBytes = 64 * 1024;
    const drafts = new CachingLocalizer(backend, { maxEntries: 10_000, maxBytes, ttlMs: 300_000 });
    for (let i = 0; i < 2_000; i++) {
      await drafts.localize('AnnouncementConfirm', 'en-US', { smsBody: `${i} ${'é'.repeat(1600)}`.slice(0, 1600) });
      expect(drafts.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // Each render is ~6.5 KB (1600-character draft in the key and again in the text).
    expect(drafts.size).toBeGreaterThan(5);
    expect(drafts.size).toBeLessThanOrEqual(Math.floor(maxBytes / 6400));
    // The most recent ones are the ones kept.
    await drafts.localize('AnnouncementConfirm', 'en-US', { smsBody: `1999 ${'é'.repeat(1600)}`.slice(0, 1600) });
    expect(backend.lookups).toHaveLength(2_000);
  });

  it('does not cache a single render larger than maxBytes, and still returns it', async () => {
    const small = new CachingLocalizer(backend, { maxEntries: 10, maxBytes: 1024, ttlMs: 300_000 });
    const text = await small.localize('AnnouncementConfirm', 'en-US', { smsBody: 'x'.repeat(1000) });
    expect(text).toContain('x'.repeat(1000));
    expect(small.size).toBe(0);
    await small.localize('AnnouncementConfirm', 'en-US', { smsBody: 'x'.repeat(1000) });
    expect(backend.lookups).toHaveLength(2);
  });

  it('looks the render up again once the TTL has passed', async () => {
    await cache.localize('WelcomeMessage', 'en-US');
    now += 999;
    await cache.localize('WelcomeMessage', 'en-US');
    expect(backend.lookups).toHaveLength(1);
    now += 2;
    await cache.localize('WelcomeMessage', 'en-US');
    expect(backend.lookups).toHaveLength(2);
  });

  it('does not cache failures: the next call asks the backend again', async () => {
    backend.failNext.push(unavailable());
    await expect(cache.localize('K', 'en-US')).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(cache.localize('K', 'en-US')).resolves.toContain('K|en-US');
    expect(backend.lookups).toHaveLength(2);
  });

  it('shares one failing lookup among concurrent callers, all of whom see the LocalizationError', async () => {
    backend.failNext.push(LocalizationError.unknownKey('Nope', 'en-US'));
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => cache.localize('Nope', 'en-US')));
    expect(backend.lookups).toHaveLength(1);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: 'unknown-key', transient: false });
    }
  });

  it('closes the backend it wraps', async () => {
    await cache.close();
    expect(backend.closed).toBe(1);
  });
});
