import { KEYS_MISSING_UPSTREAM, RESOURCE_KEYS } from './catalog.js';
import { EmbeddedCatalogLocalizer } from './embedded-localizer.js';
import { LocalizationError } from './errors.js';
import { FallbackLocalizer, type LocalizationFallback } from './fallback-localizer.js';
import type { Localizer } from './localizer.js';

/** A primary that answers from a table, or fails with the given error kind for listed keys. */
class ScriptedPrimary implements Localizer {
  readonly calls: string[] = [];
  closed = false;
  constructor(
    private readonly texts: Record<string, string>,
    private readonly failures: Record<string, LocalizationError['kind']> = {},
  ) {}
  async localize(resourceKey: string, locale: string): Promise<string> {
    this.calls.push(resourceKey);
    const kind = this.failures[resourceKey];
    if (kind) throw new LocalizationError(kind, `scripted ${kind}`, resourceKey, locale);
    if (!Object.hasOwn(this.texts, resourceKey)) throw LocalizationError.unknownKey(resourceKey, locale);
    return this.texts[resourceKey]!;
  }
  close(): void {
    this.closed = true;
  }
}

async function failure(p: Promise<unknown>): Promise<LocalizationError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LocalizationError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('FallbackLocalizer', () => {
  let fallbacks: LocalizationFallback[];
  const make = (primary: Localizer) =>
    new FallbackLocalizer(primary, new EmbeddedCatalogLocalizer(), { onFallback: (f) => fallbacks.push(f) });
  beforeEach(() => {
    fallbacks = [];
  });

  it("uses the primary's text whenever it has the key, even where the catalog words it differently", async () => {
    const primary = new ScriptedPrimary({ AnnouncementSent: 'server text' });
    await expect(make(primary).localize('AnnouncementSent', 'en-US', { count: '3' })).resolves.toBe('server text');
    expect(fallbacks).toEqual([]);
  });

  it('renders a key the primary lacks (success=false) from the embedded catalog, in the asked locale', async () => {
    const localizer = make(new ScriptedPrimary({}));
    await expect(localizer.localize('WelcomeMessage', 'es-ES')).resolves.toBe('¡Bienvenido a Nudges!');
    await expect(localizer.localize('MessageException', 'en-US', { error: 'ref 42' })).resolves.toBe('Sorry, something went wrong: ref 42');
    expect(fallbacks).toEqual([
      { resourceKey: 'WelcomeMessage', locale: 'es-ES', reason: 'unknown-key', expected: true },
      { resourceKey: 'MessageException', locale: 'en-US', reason: 'unknown-key', expected: true },
    ]);
  });

  it('falls back for any key the primary lacks, flagging keys not on the documented list as unexpected', async () => {
    const localizer = make(new ScriptedPrimary({}));
    await expect(localizer.localize('UnsubscribeSuccess', 'en-US', { clientName: 'Zed' })).resolves.toBe('You have unsubscribed from Zed.');
    expect(fallbacks).toEqual([{ resourceKey: 'UnsubscribeSuccess', locale: 'en-US', reason: 'unknown-key', expected: false }]);
  });

  it('renders a request the primary rejects (a placeholder without parameter) from the catalog, as unexpected', async () => {
    const localizer = make(new ScriptedPrimary({}, { AnnouncementSent: 'rejected' }));
    await expect(localizer.localize('AnnouncementSent', 'es-ES', { count: '5' })).resolves.toBe('Enviado a 5 suscriptores');
    expect(fallbacks).toEqual([{ resourceKey: 'AnnouncementSent', locale: 'es-ES', reason: 'rejected', expected: false }]);
  });

  it("throws the primary's error when the catalog lacks the key too", async () => {
    const unknown = await failure(make(new ScriptedPrimary({})).localize('NoSuchKey', 'en-US'));
    expect(unknown).toMatchObject({ kind: 'unknown-key', resourceKey: 'NoSuchKey', message: "Unknown resource key 'NoSuchKey'" });
    const rejected = await failure(make(new ScriptedPrimary({}, { Anything: 'rejected' })).localize('Anything', 'en-US'));
    expect(rejected).toMatchObject({ kind: 'rejected', transient: false, message: 'scripted rejected' });
    expect(fallbacks).toEqual([]);
  });

  it.each(['unavailable', 'timeout'] as const)('does not mask a %s primary: callers still see the transient error', async (kind) => {
    const error = await failure(make(new ScriptedPrimary({}, { WelcomeMessage: kind })).localize('WelcomeMessage', 'en-US'));
    expect(error).toMatchObject({ kind, transient: true });
    expect(fallbacks).toEqual([]);
  });

  it('closes the primary', async () => {
    const primary = new ScriptedPrimary({});
    await make(primary).close();
    expect(primary.closed).toBe(true);
  });

  it('logs by default without failing the render', async () => {
    const localizer = new FallbackLocalizer(new ScriptedPrimary({}), new EmbeddedCatalogLocalizer());
    await expect(localizer.localize('WelcomeMessage', 'en-US')).resolves.toBe('Welcome to Nudges!');
  });
});

describe('KEYS_MISSING_UPSTREAM', () => {
  // Written from the wire contract ("LocalizationApi (gRPC)") and the real resx, independently of
  // catalog.ts: the keys Nudges' LocalizationApi serves.
  const UPSTREAM = [
    'AnnouncementCancelled',
    'AnnouncementConfirm',
    'AnnouncementSent',
    'AnnouncementTemplate',
    'ClientHelpMessage',
    'NoMessagesRemaining',
    'NoPendingAnnouncement',
    'NotCustomer',
    'NotInStopMode',
    'NotSubscriber',
    'SubscriberHelpMessage',
    'SubscriptionNotActive',
    'SupportMessage',
    'UnsubscribeAllSuccess',
    'UnsubscribeInvalidSelection',
    'UnsubscribeListEntry',
    'UnsubscribeListTemplate',
    'UnsubscribeSuccess',
    'ClientOtpVerified',
    'SendOtp',
    'PriceTierUpdate',
    'NewSubscriberWelcome',
    'ClientNewSubscriber',
    'UserLoggedIn',
    'Anything',
  ];

  it('is exactly the catalog keys the LocalizationApi lacks', () => {
    expect([...KEYS_MISSING_UPSTREAM].sort()).toEqual(RESOURCE_KEYS.filter((k) => !UPSTREAM.includes(k)).sort());
  });
});
