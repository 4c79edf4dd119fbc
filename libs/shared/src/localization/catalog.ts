import { DEFAULT_LOCALE, resolveLocale } from './render.js';

/** resource key → locale → stored template (`{name}` placeholders, `\n` written as two characters). */
export type Catalog = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * The catalog shipped with the project: the backend when no LocalizationApi is configured, and the
 * fallback for keys the LocalizationApi does not have (KEYS_MISSING_UPSTREAM and any other key it
 * answers success=false for; see FallbackLocalizer). WelcomeMessage, AnnouncementSent and
 * ClientHelpMessage are the texts the Nudges documentation fixes, verbatim; the rest are worded
 * here. The LocalizationApi's own ClientHelpMessage also lists the account, portal and share links
 * (accountUrl, subUrl, shareUrl, which callers always pass); the fixed text here has none.
 */
export const EMBEDDED_CATALOG = {
  WelcomeMessage: {
    'en-US': 'Welcome to Nudges!',
    'es-ES': '¡Bienvenido a Nudges!',
  },
  AnnouncementSent: {
    'en-US': 'Sent to {count} subscribers',
    'es-ES': 'Enviado a {count} suscriptores',
  },
  ClientHelpMessage: {
    'en-US': 'Reply COMMANDS for help',
    'es-ES': 'Responde COMMANDS para ayuda',
  },
  ClientHelpLinks: {
    'en-US': 'Account: {accountUrl}\\nPortal: {subUrl}\\nShare: {shareUrl}',
    'es-ES': 'Cuenta: {accountUrl}\\nPortal: {subUrl}\\nCompartir: {shareUrl}',
  },
  AnnouncementConfirm: {
    'en-US': 'Your announcement:\\n{smsBody}\\nReply CONFIRM to send it.',
    'es-ES': 'Tu anuncio:\\n{smsBody}\\nResponde CONFIRM para enviarlo.',
  },
  AnnouncementTemplate: {
    'en-US': '{clientName} says: {smsBody}\\n{link}',
    'es-ES': '{clientName} dice: {smsBody}\\n{link}',
  },
  NoPendingAnnouncement: {
    'en-US': 'You have no announcement to confirm. Text your message first, then reply CONFIRM.',
    'es-ES': 'No tienes ningún anuncio por confirmar. Envía tu mensaje y luego responde CONFIRM.',
  },
  NotCustomer: {
    'en-US': 'This number is not registered as a Nudges client.',
    'es-ES': 'Este número no está registrado como cliente de Nudges.',
  },
  NotSubscriber: {
    'en-US': 'You are not subscribed to any Nudges client.',
    'es-ES': 'No estás suscrito a ningún cliente de Nudges.',
  },
  SubscriberHelpMessage: {
    'en-US': 'Reply UNSUB followed by a number to leave a client. Reply STOP to stop all messages.',
    'es-ES': 'Responde UNSUB y un número para salir de un cliente. Responde STOP para no recibir más mensajes.',
  },
  UnsubscribeListTemplate: {
    'en-US': 'Your subscriptions:\\n{list}',
    'es-ES': 'Tus suscripciones:\\n{list}',
  },
  UnsubscribeListEntry: {
    'en-US': 'UNSUB {index} to leave {clientName}',
    'es-ES': 'UNSUB {index} para salir de {clientName}',
  },
  UnsubscribeSuccess: {
    'en-US': 'You have unsubscribed from {clientName}.',
    'es-ES': 'Te has dado de baja de {clientName}.',
  },
  UnsubscribeInvalidSelection: {
    'en-US': 'That number is not on your subscription list.',
    'es-ES': 'Ese número no está en tu lista de suscripciones.',
  },
  MessageException: {
    'en-US': 'Sorry, something went wrong: {error}',
    'es-ES': 'Lo sentimos, algo salió mal: {error}',
  },
  UserLoggedIn: {
    'en-US': 'You just signed in to Nudges. Not you? Contact support.',
    'es-ES': 'Acabas de iniciar sesión en Nudges. ¿No fuiste tú? Contacta con soporte.',
  },
  ClientCreated: {
    'en-US': 'Your Nudges client account is ready.',
    'es-ES': 'Tu cuenta de cliente de Nudges está lista.',
  },
  SendOtp: {
    'en-US': 'Your Nudges code is {otp}',
    'es-ES': 'Tu código de Nudges es {otp}',
  },
  NewSubscriberWelcome: {
    'en-US': 'You are now subscribed to {name}. Reply STOP to opt out.',
    'es-ES': 'Ya estás suscrito a {name}. Responde STOP para darte de baja.',
  },
  ClientNewSubscriber: {
    'en-US': 'You have a new subscriber! Total: {count}',
    'es-ES': '¡Tienes un nuevo suscriptor! Total: {count}',
  },
  PlanSubscriptionCreated: {
    'en-US': 'Your Nudges plan is active. Thank you!',
    'es-ES': 'Tu plan de Nudges está activo. ¡Gracias!',
  },
  SubscriptionNotActive: {
    'en-US': 'You need an active Nudges subscription to send announcements.',
    'es-ES': 'Necesitas una suscripción activa de Nudges para enviar anuncios.',
  },
  MessageTooLong: {
    'en-US': 'Your message is too long. The limit is 1600 characters.',
    'es-ES': 'Tu mensaje es demasiado largo. El límite es de 1600 caracteres.',
  },
  AnnouncementSegments: {
    'en-US': 'Each subscriber receives it as {segments} SMS.',
    'es-ES': 'Cada suscriptor lo recibe como {segments} SMS.',
  },
  AnnouncementTooLong: {
    'en-US':
      'Your announcement is too long: with your name and link it is {length} characters, and one SMS can carry at most {limit}. Please shorten it and send it again.',
    'es-ES':
      'Tu anuncio es demasiado largo: con tu nombre y enlace tiene {length} caracteres, y un SMS admite como máximo {limit}. Acórtalo y envíalo de nuevo.',
  },
  AnnouncementSending: {
    'en-US': 'Sending your announcement now. We will text you when it has reached all your subscribers.',
    'es-ES': 'Enviando tu anuncio. Te escribiremos cuando haya llegado a todos tus suscriptores.',
  },
  AnnouncementFailed: {
    'en-US': 'Your announcement could not be sent. It is still saved: reply CONFIRM to try again.',
    'es-ES': 'No se pudo enviar tu anuncio. Sigue guardado: responde CONFIRM para intentarlo de nuevo.',
  },
  AnnouncementInterrupted: {
    'en-US': 'Your announcement stopped after reaching {count} subscribers. Our team has been alerted.',
    'es-ES': 'Tu anuncio se detuvo tras llegar a {count} suscriptores. Nuestro equipo ha sido avisado.',
  },
  ServiceHelpMessage: {
    'en-US': 'Nudges: announcements from the businesses you follow. Reply STOP to stop all messages, START to get them again.',
    'es-ES': 'Nudges: anuncios de los negocios que sigues. Responde STOP para no recibir más mensajes y START para volver a recibirlos.',
  },
} as const satisfies Catalog;

export type ResourceKey = keyof typeof EMBEDDED_CATALOG;

/**
 * Keys of this catalog that Nudges' LocalizationApi does not have (its LocalizationService.resx:
 * see docs/localization.md). Against the real server these always render from this catalog.
 */
export const KEYS_MISSING_UPSTREAM = Object.freeze([
  'WelcomeMessage',
  'MessageException',
  'ClientCreated',
  'PlanSubscriptionCreated',
  'MessageTooLong',
  'ClientHelpLinks',
  'AnnouncementSegments',
  'AnnouncementTooLong',
  'AnnouncementSending',
  'AnnouncementFailed',
  'AnnouncementInterrupted',
  'ServiceHelpMessage',
] as const satisfies readonly ResourceKey[]);

/** Every key of the embedded catalog, for callers that want compile-time checked keys. */
export const RESOURCE_KEYS = Object.freeze(Object.keys(EMBEDDED_CATALOG)) as readonly ResourceKey[];

/** The locales a catalog has texts for, default locale first. */
export function catalogLocales(catalog: Catalog): string[] {
  const locales = new Set<string>([DEFAULT_LOCALE]);
  for (const texts of Object.values(catalog)) for (const locale of Object.keys(texts)) locales.add(locale);
  return [...locales];
}

/**
 * Finds the stored template for a key in the resolved locale (falling back to the default locale
 * for a key not translated there); undefined when the key is unknown.
 */
export function lookupTemplate(
  catalog: Catalog,
  resourceKey: string,
  locale: string,
  locales: readonly string[] = catalogLocales(catalog),
): { template: string; locale: string } | undefined {
  if (!Object.hasOwn(catalog, resourceKey)) return undefined;
  const texts = catalog[resourceKey]!;
  const resolved = resolveLocale(locale, locales);
  const template = texts[resolved];
  if (template !== undefined) return { template, locale: resolved };
  const fallback = texts[DEFAULT_LOCALE];
  return fallback === undefined ? undefined : { template: fallback, locale: DEFAULT_LOCALE };
}
