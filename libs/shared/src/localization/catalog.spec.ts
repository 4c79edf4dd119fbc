import { readFileSync } from 'node:fs';
import { EMBEDDED_CATALOG, RESOURCE_KEYS, catalogLocales, lookupTemplate } from './catalog.js';
import { LOCALIZATION_PROTO_PATH } from './localization-proto.js';
import { placeholdersOf, renderTemplate } from './render.js';

// Written from the wire contract, independently of catalog.ts: key → placeholders it must use.
const CONTRACT_KEYS: Record<string, string[]> = {
  WelcomeMessage: [],
  AnnouncementSent: ['count'],
  // The documented text, verbatim, has no placeholder (callers pass the links for the LocalizationApi's text).
  ClientHelpMessage: [],
  AnnouncementConfirm: ['smsBody'],
  AnnouncementTemplate: ['clientName', 'smsBody', 'link'],
  NoPendingAnnouncement: [],
  NotCustomer: [],
  NotSubscriber: [],
  SubscriberHelpMessage: [],
  UnsubscribeListTemplate: ['list'],
  UnsubscribeListEntry: ['index', 'clientName'],
  UnsubscribeSuccess: ['clientName'],
  UnsubscribeInvalidSelection: [],
  MessageException: ['error'],
  UserLoggedIn: [],
  ClientCreated: [],
  SendOtp: ['otp'],
  NewSubscriberWelcome: ['name'],
  ClientNewSubscriber: ['count'],
  PlanSubscriptionCreated: [],
};
// Keys added for the Twilio flow (documented in docs/localization.md). SubscriptionNotActive is
// also a LocalizationApi key; MessageTooLong is this project's own.
const ADDED_KEYS: Record<string, string[]> = {
  SubscriptionNotActive: [],
  MessageTooLong: [],
  ClientHelpLinks: ['accountUrl', 'subUrl', 'shareUrl'],
  AnnouncementSegments: ['segments'],
  AnnouncementTooLong: ['length', 'limit'],
  AnnouncementSending: [],
  AnnouncementFailed: [],
  AnnouncementInterrupted: ['count'],
  ServiceHelpMessage: [],
};
const LOCALES = ['en-US', 'es-ES'];
const catalog: Record<string, Record<string, string>> = EMBEDDED_CATALOG;

describe('embedded catalog', () => {
  it('holds exactly the contract keys plus the documented additions', () => {
    expect([...RESOURCE_KEYS].sort()).toEqual([...Object.keys(CONTRACT_KEYS), ...Object.keys(ADDED_KEYS)].sort());
    expect(catalogLocales(EMBEDDED_CATALOG)).toEqual(LOCALES);
  });

  const cases = Object.entries({ ...CONTRACT_KEYS, ...ADDED_KEYS }).flatMap(([key, names]) =>
    LOCALES.map((locale) => [key, locale, names] as const),
  );
  it.each(cases)('%s in %s uses exactly its placeholders', (key, locale, names) => {
    const template = catalog[key]?.[locale];
    expect(typeof template).toBe('string');
    expect(template!.trim()).not.toBe('');
    expect([...placeholdersOf(template!)].sort()).toEqual([...names].sort());
  });

  it('has a Spanish text that differs from the English one for every key', () => {
    const untranslated = RESOURCE_KEYS.filter((key) => catalog[key]!['es-ES'] === catalog[key]!['en-US']);
    expect(untranslated).toEqual([]);
  });

  it('uses the texts the Nudges documentation fixes, verbatim', () => {
    expect(renderTemplate(catalog.WelcomeMessage!['en-US']!)).toBe('Welcome to Nudges!');
    expect(renderTemplate(catalog.WelcomeMessage!['es-ES']!)).toBe('¡Bienvenido a Nudges!');
    expect(catalog.AnnouncementSent!['en-US']).toBe('Sent to {count} subscribers');
    expect(catalog.AnnouncementSent!['es-ES']).toBe('Enviado a {count} suscriptores');
    expect(catalog.ClientHelpMessage!['en-US']).toBe('Reply COMMANDS for help');
    expect(catalog.ClientHelpMessage!['es-ES']).toBe('Responde COMMANDS para ayuda');
  });

  it('shows the UNSUB command with the index in every list entry', () => {
    for (const locale of LOCALES) {
      expect(renderTemplate(catalog.UnsubscribeListEntry![locale]!, { index: '2', clientName: 'Café Luna' })).toContain('UNSUB 2');
    }
  });

  it('is documented word for word in docs/localization.md', () => {
    const docs = readFileSync(new URL('../../../../docs/localization.md', import.meta.url), 'utf8');
    for (const key of RESOURCE_KEYS) {
      expect(docs).toContain(`| \`${key}\` | \`${catalog[key]!['en-US']}\` | \`${catalog[key]!['es-ES']}\` |`);
    }
  });

  it('keeps fixed texts SMS-sized (one 160-character segment)', () => {
    for (const key of RESOURCE_KEYS) for (const locale of LOCALES) expect(catalog[key]![locale]!.length).toBeLessThanOrEqual(160);
  });
});

describe('lookupTemplate', () => {
  const custom = { Only: { 'en-US': 'english', 'es-ES': 'español' }, EnglishOnly: { 'en-US': 'just english' } };

  it('resolves the locale and reports which one served', () => {
    expect(lookupTemplate(custom, 'Only', 'es-MX')).toEqual({ template: 'español', locale: 'es-ES' });
    expect(lookupTemplate(custom, 'Only', 'fr-FR')).toEqual({ template: 'english', locale: 'en-US' });
  });

  it('falls back to en-US for a key missing in the resolved locale', () => {
    expect(lookupTemplate(custom, 'EnglishOnly', 'es-ES')).toEqual({ template: 'just english', locale: 'en-US' });
  });

  it('returns undefined for unknown keys, including inherited property names', () => {
    expect(lookupTemplate(custom, 'Nope', 'en-US')).toBeUndefined();
    expect(lookupTemplate(custom, 'toString', 'en-US')).toBeUndefined();
  });
});

describe('proto', () => {
  it('declares the contract fields with their numbers', () => {
    const compact = readFileSync(LOCALIZATION_PROTO_PATH, 'utf8').replace(/\s+/g, ' ');
    expect(compact).toContain('package localization;');
    expect(compact).toContain(
      'service LocalizationGrpcService { rpc GetLocalizedString (LocalizationRequest) returns (LocalizationResponse); }',
    );
    expect(compact).toContain(
      'message LocalizationRequest { string resource_key = 1; string locale = 2; map<string, string> parameters = 3; }',
    );
    expect(compact).toContain('message LocalizationResponse { string localized_string = 1; bool success = 2; string error_message = 3; }');
  });
});
