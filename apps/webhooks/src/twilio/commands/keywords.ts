/**
 * The single-word keywords Twilio acts on by default (Programmable Messaging's opt-out handling
 * on long codes and toll-free numbers; Advanced Opt-Out starts from the same lists). Twilio
 * applies them itself (an opt-out blocks every later send to that number with error 21610) and
 * still forwards the message to us. Matched like Twilio does: the whole body, one word, trimmed,
 * any case.
 */
export const TWILIO_DEFAULT_KEYWORDS = {
  optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  optIn: ['START', 'UNSTOP', 'YES'],
  help: ['HELP', 'INFO'],
} as const satisfies Record<KeywordKind, readonly string[]>;

export type KeywordKind = 'optOut' | 'optIn' | 'help';

/** Nudges' own command words, which no keyword set may take. */
export const NUDGES_COMMAND_WORDS: readonly string[] = ['COMMANDS', 'CONFIRM', 'UNSUB'];

/** The value Twilio puts in `OptOutType` (Advanced Opt-Out) for each kind. */
const OPT_OUT_TYPES: Readonly<Record<string, KeywordKind>> = { STOP: 'optOut', START: 'optIn', HELP: 'help' };

/** Every keyword of each kind: Twilio's defaults plus the configured extra words, upper case. */
export type KeywordSets = Readonly<Record<KeywordKind, readonly string[]>>;

/** Recognises an inbound message as one of Twilio's keywords. */
export class KeywordMatcher {
  private readonly kinds = new Map<string, KeywordKind>();

  constructor(sets: KeywordSets) {
    for (const kind of ['optOut', 'optIn', 'help'] as const) for (const word of sets[kind]) this.kinds.set(word, kind);
  }

  /**
   * The kind of `keyword` (the trimmed, upper-cased body). Twilio's own classification wins when
   * it sent one (`OptOutType`, with Advanced Opt-Out, which may have keywords configured only there).
   */
  kindOf(keyword: string, optOutType?: string): KeywordKind | undefined {
    if (optOutType !== undefined && Object.hasOwn(OPT_OUT_TYPES, optOutType)) return OPT_OUT_TYPES[optOutType];
    return this.kinds.get(keyword);
  }
}
