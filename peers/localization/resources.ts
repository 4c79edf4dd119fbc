/**
 * The test LocalizationApi's own resources, independent of the apps' catalog.
 *
 * Shaped like the real service's resource files (getnudges/monov4,
 * dotnet/LocalizationApi/Services/LocalizationService.resx and LocalizationService.es.resx): the
 * same keys, the same `{placeholder}` names per key, a neutral (English) set and an `es` set. The
 * wording is this project's own, except `AnnouncementSent` and the first line of
 * `ClientHelpMessage`, which the Nudges documentation fixes.
 *
 * Two quirks of the real files are kept on purpose, because the apps meet them in production:
 * - the `es` file writes line breaks as `\\n` (backslash, backslash, n) where the neutral file writes
 *   `\n`; after the server turns `\n` into a line break, a Spanish text therefore carries a stray
 *   backslash before each line break;
 * - three `es` entries (NewSubscriberWelcome, ClientNewSubscriber, UserLoggedIn) are English.
 *
 * Strings below are TypeScript literals: `'\\n'` is the two characters backslash-n as stored in a
 * resx value, `'\\\\n'` the three characters of the `es` file.
 */

/** culture name ('' = neutral) → resource key → stored text. */
export type ResourceSets = Readonly<Record<string, Readonly<Record<string, string>>>>;

const NEUTRAL: Readonly<Record<string, string>> = {
  AnnouncementCancelled: 'Your announcement was dropped.',
  AnnouncementConfirm: 'About to send this announcement:\\n\\n{smsBody}\\n\\nText SEND to send it, or CANCEL to drop it.',
  AnnouncementSent: 'Sent to {count} subscribers',
  AnnouncementTemplate: 'News from {clientName}:\\n\\n{smsBody}{link}',
  ClientHelpMessage:
    'Reply COMMANDS for help\\n\\nText STOP to block this number. Anything else you text goes out to your subscribers as an announcement.\\n\\nYour account: {accountUrl}\\nYour plan: {subUrl}\\nShare this link to gain subscribers: {shareUrl}',
  NoMessagesRemaining: 'No announcements left in this billing period.',
  NoPendingAnnouncement: 'There is no announcement waiting to be sent.',
  NotCustomer: 'This number does not belong to a Nudges customer. Sign up at https://nudges.tech/',
  NotInStopMode: 'To stop receiving announcements, text UNSUBSCRIBE.',
  NotSubscriber: 'This number is not subscribed to anyone on Nudges.',
  SubscriberHelpMessage: 'Text UNSUBSCRIBE to this number to stop receiving announcements.',
  SubscriptionNotActive: 'Your plan is not active. Write to support@thenudges.com for help.',
  SupportMessage: 'Need help? Write to support@thenudges.com',
  UnsubscribeAllSuccess: 'You will no longer receive any announcements.',
  UnsubscribeInvalidSelection: 'That choice is not on the list. Pick a number from it.',
  UnsubscribeListEntry: '{index}) {clientName}: text STOP {index} to leave',
  UnsubscribeListTemplate: 'Your subscriptions:\\n\\n{list}\\n\\nText STOP ALL to leave every one of them.',
  UnsubscribeSuccess: '{clientName} will no longer send you announcements.',
  ClientOtpVerified: 'Your Nudges account is ready. Carry on in your browser, or finish signing up any time at {url}.',
  SendOtp: 'Nudges code: {otp}',
  PriceTierUpdate: 'Price tier {priceTierId} changed',
  Anything: '{body}',
  NewSubscriberWelcome: 'You now get announcements from {name}.',
  ClientNewSubscriber: 'New subscriber! You have {count} now.',
  UserLoggedIn: 'Someone just signed in to your account.',
};

const SPANISH: Readonly<Record<string, string>> = {
  AnnouncementCancelled: 'Tu anuncio se ha descartado.',
  AnnouncementConfirm: 'Vas a enviar este anuncio:\\\\n\\\\n{smsBody}\\\\n\\\\nEscribe SEND para enviarlo o CANCEL para descartarlo.',
  AnnouncementSent: 'Enviado a {count} suscriptores',
  AnnouncementTemplate: 'Novedades de {clientName}:\\\\n\\\\n{smsBody}{link}',
  ClientHelpMessage:
    'Responde COMMANDS para ayuda\\\\n\\\\nEscribe STOP para bloquear este número. Todo lo demás que escribas se envía a tus suscriptores como anuncio.\\\\n\\\\nTu cuenta: {accountUrl}\\\\nTu plan: {subUrl}\\\\nComparte este enlace para sumar suscriptores: {shareUrl}',
  NoMessagesRemaining: 'No te quedan anuncios en este periodo de facturación.',
  NoPendingAnnouncement: 'No hay ningún anuncio esperando a ser enviado.',
  NotCustomer: 'Este número no pertenece a un cliente de Nudges. Regístrate en https://nudges.tech/',
  NotInStopMode: 'Para dejar de recibir anuncios, escribe UNSUBSCRIBE.',
  NotSubscriber: 'Este número no está suscrito a nadie en Nudges.',
  SubscriberHelpMessage: 'Escribe UNSUBSCRIBE a este número para dejar de recibir anuncios.',
  SubscriptionNotActive: 'Tu plan no está activo. Escribe a support@thenudges.com para recibir ayuda.',
  SupportMessage: '¿Necesitas ayuda? Escribe a support@thenudges.com',
  UnsubscribeAllSuccess: 'Ya no recibirás ningún anuncio.',
  UnsubscribeInvalidSelection: 'Esa opción no está en la lista. Elige un número de ella.',
  UnsubscribeListEntry: '{index}) {clientName}: escribe STOP {index} para salir',
  UnsubscribeListTemplate: 'Tus suscripciones:\\\\n\\\\n{list}\\\\n\\\\nEscribe STOP ALL para salir de todas.',
  UnsubscribeSuccess: '{clientName} ya no te enviará anuncios.',
  ClientOtpVerified: 'Tu cuenta de Nudges está lista. Sigue en tu navegador o termina el registro cuando quieras en {url}.',
  SendOtp: 'Código de Nudges: {otp}',
  PriceTierUpdate: 'Nivel de precio {priceTierId} modificado',
  Anything: '{body}',
  // English in the real es file too.
  NewSubscriberWelcome: 'You now get announcements from {name}.',
  ClientNewSubscriber: 'New subscriber! You have {count} now.',
  UserLoggedIn: 'Someone just signed in to your account.',
};

/** What the peer serves by default: the neutral set and the `es` set. */
export const DEFAULT_RESOURCES: ResourceSets = { '': NEUTRAL, es: SPANISH };
