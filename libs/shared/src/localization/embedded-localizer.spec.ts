import { EmbeddedCatalogLocalizer } from './embedded-localizer.js';
import { LocalizationError } from './errors.js';

describe('EmbeddedCatalogLocalizer', () => {
  const localizer = new EmbeddedCatalogLocalizer();

  it('renders a key in es-ES with its replacements', async () => {
    await expect(localizer.localize('AnnouncementSent', 'es-ES', { count: '47' })).resolves.toBe('Enviado a 47 suscriptores');
  });

  it('renders stored \\n as line breaks', async () => {
    const text = await localizer.localize('AnnouncementConfirm', 'en-US', { smsBody: 'Big sale' });
    expect(text).toBe('Your announcement:\nBig sale\nReply CONFIRM to send it.');
  });

  it('ignores replacements its text has no placeholder for (the fixed ClientHelpMessage)', async () => {
    const text = await localizer.localize('ClientHelpMessage', 'en-US', { accountUrl: 'A', subUrl: 'S', shareUrl: 'X' });
    expect(text).toBe('Reply COMMANDS for help');
  });

  it('falls back es-MX → es-ES and fr-FR → en-US', async () => {
    await expect(localizer.localize('WelcomeMessage', 'es-MX')).resolves.toBe('¡Bienvenido a Nudges!');
    await expect(localizer.localize('WelcomeMessage', 'fr-FR')).resolves.toBe('Welcome to Nudges!');
  });

  it('keeps placeholders that have no value', async () => {
    await expect(localizer.localize('AnnouncementSent', 'en-US')).resolves.toBe('Sent to {count} subscribers');
  });

  it('rejects an unknown key with a permanent unknown-key LocalizationError', async () => {
    const error = await localizer.localize('NoSuchKey', 'es-ES').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalizationError);
    expect(error).toMatchObject({ kind: 'unknown-key', transient: false, resourceKey: 'NoSuchKey', locale: 'es-ES' });
  });

  it('serves a custom catalog and its locales', async () => {
    const custom = new EmbeddedCatalogLocalizer({ Hello: { 'en-US': 'Hello {who}', 'pt-PT': 'Olá {who}' } });
    expect(custom.locales).toEqual(['en-US', 'pt-PT']);
    await expect(custom.localize('Hello', 'pt-BR', { who: 'Ana' })).resolves.toBe('Olá Ana');
  });
});
