import { startLocalizationServer, type LocalizationServer } from '../../../../peers/localization/localization-server.js';
import { CachingLocalizer } from './caching-localizer.js';
import { LocalizationError } from './errors.js';
import { GrpcLocalizer } from './grpc-localizer.js';

const TIMEOUT_MS = 400;

async function failure(p: Promise<unknown>): Promise<LocalizationError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LocalizationError) return e;
    throw new Error(`expected a LocalizationError, got ${String(e)}`);
  }
  throw new Error('expected the call to fail');
}

/** Calls `attempt` until it resolves, or rethrows its last failure after `withinMs`. */
async function eventually<T>(attempt: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('GrpcLocalizer against the LocalizationApi peer', () => {
  let server: LocalizationServer;
  let localizer: GrpcLocalizer;

  beforeEach(async () => {
    server = await startLocalizationServer();
    localizer = new GrpcLocalizer({ url: server.url, timeoutMs: TIMEOUT_MS });
  });

  afterEach(async () => {
    localizer.close();
    await server.stop();
  });

  it('renders es-ES with placeholders replaced by the server', async () => {
    await expect(localizer.localize('AnnouncementSent', 'es-ES', { count: '47' })).resolves.toBe('Enviado a 47 suscriptores');
    await expect(localizer.localize('WelcomeMessage', 'es-ES')).resolves.toBe('¡Bienvenido a Nudges!');
  });

  it('turns the stored \\n into a line break', async () => {
    const text = await localizer.localize('AnnouncementConfirm', 'en-US', { smsBody: 'Big sale' });
    expect(text).toBe('Your announcement:\nBig sale\nReply CONFIRM to send it.');
  });

  it('falls back es-MX → es-ES and fr-FR → en-US', async () => {
    await expect(localizer.localize('AnnouncementSent', 'es-MX', { count: '3' })).resolves.toBe('Enviado a 3 suscriptores');
    await expect(localizer.localize('AnnouncementSent', 'fr-FR', { count: '3' })).resolves.toBe('Sent to 3 subscribers');
  });

  it('reports an unknown key as a permanent unknown-key error', async () => {
    const error = await failure(localizer.localize('NoSuchKey', 'en-US'));
    expect(error).toMatchObject({ kind: 'unknown-key', transient: false, resourceKey: 'NoSuchKey' });
  });

  it('times out within the deadline when the server is slow', async () => {
    server.setSlowMs(5000);
    server.setMode('slow');
    const started = Date.now();
    const error = await failure(localizer.localize('WelcomeMessage', 'en-US'));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ kind: 'timeout', transient: true });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('maps a gRPC UNAVAILABLE answer to a transient unavailable error', async () => {
    server.setMode('fail');
    const error = await failure(localizer.localize('WelcomeMessage', 'en-US'));
    expect(error).toMatchObject({ kind: 'unavailable', transient: true });
    expect(server.calls).toBe(1);
  });

  it('is unavailable while the server is down and recovers on the same channel after a restart', async () => {
    await expect(localizer.localize('WelcomeMessage', 'en-US')).resolves.toBe('Welcome to Nudges!');
    const { port } = server;
    await server.stop();

    const error = await failure(localizer.localize('WelcomeMessage', 'en-US'));
    expect(error).toMatchObject({ kind: 'unavailable', transient: true });

    server = await startLocalizationServer({ port });
    const text = await eventually(() => localizer.localize('WelcomeMessage', 'es-ES'), 10_000);
    expect(text).toBe('¡Bienvenido a Nudges!');
    expect(server.calls).toBeGreaterThanOrEqual(1);
  });

  it('behind the cache, 100k concurrent identical renders cost one gRPC call', async () => {
    // The one call's deadline runs from the first render, while the loop is still busy issuing the
    // other 99,999 (over 2 s on a loaded CI machine, which failed the production default of 2 s).
    const cached = new CachingLocalizer(new GrpcLocalizer({ url: server.url, timeoutMs: 15_000 }), { maxEntries: 100, maxBytes: 1024 * 1024, ttlMs: 60_000 });
    try {
      const renders = await Promise.all(
        Array.from({ length: 100_000 }, () => cached.localize('AnnouncementSent', 'es-MX', { count: '47' })),
      );
      expect(new Set(renders)).toEqual(new Set(['Enviado a 47 suscriptores']));
      expect(server.calls).toBe(1);
    } finally {
      await cached.close();
    }
  });
});
