import type { ResourceKey } from '@app/shared/localization/catalog.js';
import type { InboundSms } from '../inbound/inbound-sms.js';
import type { Sender } from './sender.js';

/** Several localized entries joined by line breaks, inserted as one replacement (the UNSUB list). */
export interface LocalizedList {
  entries: { resourceKey: ResourceKey; replacements: Record<string, string> }[];
}

export type ReplyReplacements = Record<string, string | LocalizedList>;

/** A second localized text, added on a new line (unless the first already holds `unlessContains`). */
export interface ReplyAddendum {
  resourceKey: ResourceKey;
  replacements: Record<string, string>;
  unlessContains?: string;
}

/** What to answer: a localized text, or nothing (an empty `<Response/>`). */
export type SmsReply =
  | { kind: 'text'; resourceKey: ResourceKey; locale: string; replacements?: ReplyReplacements; addendum?: ReplyAddendum }
  | { kind: 'silent' };

export const silentReply = (): SmsReply => ({ kind: 'silent' });

export const textReply = (
  resourceKey: ResourceKey,
  locale: string,
  replacements?: ReplyReplacements,
  addendum?: ReplyAddendum,
): SmsReply => ({
  kind: 'text',
  resourceKey,
  locale,
  ...(replacements ? { replacements } : {}),
  ...(addendum ? { addendum } : {}),
});

export interface SmsCommandInput {
  sms: InboundSms;
  /** The body without surrounding whitespace. */
  text: string;
  /** `text` upper-cased, for keyword matching. */
  keyword: string;
  /** The sender, looked up on first call only (both gateway queries at once), then shared. */
  sender(): Promise<Sender>;
}

export type SmsCommandName = 'opt_out' | 'opt_in' | 'help' | 'unsub' | 'confirm' | 'draft';

/**
 * One SMS command. Handlers are tried in a fixed order; the first that recognises the message
 * answers it. `undefined` means "not mine".
 */
export interface SmsCommandHandler {
  /** The command's name in metrics (`nudges_webhook_requests_total{type}`). */
  readonly command: SmsCommandName;
  handle(input: SmsCommandInput): Promise<SmsReply | undefined>;
}

/** The handlers in the order they are tried. */
export const SMS_COMMAND_HANDLERS = Symbol('SMS_COMMAND_HANDLERS');
