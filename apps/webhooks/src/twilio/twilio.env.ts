import { z } from 'zod';
import { bool, httpUrl, optionalString, positiveInt, requiredString } from '@app/shared/config/env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';
import { duration } from '@app/shared/config/duration.js';
import { webhookEndpointsEnv } from '@app/shared/config/webhook-endpoints.env.js';
import { NUDGES_COMMAND_WORDS, TWILIO_DEFAULT_KEYWORDS, type KeywordKind, type KeywordSets } from './commands/keywords.js';

const KEYWORD = /^[\p{L}\p{N}]{1,32}$/u;
const KIND_NAMES: Record<KeywordKind, string> = { optOut: 'an opt-out', optIn: 'an opt-in', help: 'a help' };

/** Which default keyword or command `word` already is, if any. */
function takenBy(word: string, kind: KeywordKind): string | undefined {
  if (NUDGES_COMMAND_WORDS.includes(word)) return 'a Nudges command';
  const other = (Object.keys(TWILIO_DEFAULT_KEYWORDS) as KeywordKind[]).find(
    (k) => k !== kind && (TWILIO_DEFAULT_KEYWORDS[k] as readonly string[]).includes(word),
  );
  return other && `${KIND_NAMES[other]} keyword of Twilio's`;
}

/** Extra keywords of one kind (another language's STOP, ...): comma-separated single words, upper-cased. */
const extraKeywords = (kind: KeywordKind) =>
  optionalString()
    .transform((v) =>
      v
        ?.split(',')
        .map((w) => w.trim().toUpperCase())
        .filter(Boolean),
    )
    .superRefine((words, ctx) => {
      for (const word of words ?? []) {
        if (!KEYWORD.test(word)) ctx.addIssue({ code: 'custom', message: 'each keyword must be one word of at most 32 letters or digits' });
        else if (takenBy(word, kind)) ctx.addIssue({ code: 'custom', message: `${word} is already ${takenBy(word, kind)}` });
      }
    });

/** Twilio's maximum length of one (concatenated) SMS body. */
export const TWILIO_MAX_BODY_CHARS = 1600;

export const twilioEnv = {
  TWILIO_ACCOUNT_SID: requiredString().meta({ description: 'Twilio account SID (AC...)' }),
  TWILIO_AUTH_TOKEN: webhookEndpointsEnv.TWILIO_AUTH_TOKEN,
  TWILIO_MESSAGE_SERVICE_SID: optionalString().meta({ description: 'Twilio Messaging Service SID (MG...); not used by webhooks' }),
  TWILIO_WEBHOOK_PUBLIC_URL: webhookEndpointsEnv.TWILIO_WEBHOOK_PUBLIC_URL,
  TWILIO_SIGNATURE_VALIDATION_DISABLED: bool(false).meta({
    description: 'true turns X-Twilio-Signature validation off (local tunnels only; logs a warning at start-up)',
  }),
  TWILIO_OPT_OUT_KEYWORDS: extraKeywords('optOut').meta({
    description:
      'opt-out words besides Twilio’s (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT), e.g. those of another language configured in Advanced Opt-Out; comma-separated single words',
  }),
  TWILIO_OPT_IN_KEYWORDS: extraKeywords('optIn').meta({
    description: 'opt-in words besides Twilio’s (START, UNSTOP, YES); comma-separated single words',
  }),
  TWILIO_HELP_KEYWORDS: extraKeywords('help').meta({
    description: 'help words besides Twilio’s (HELP, INFO) and COMMANDS; comma-separated single words',
  }),
  TWILIO_REPLAY_TTL: duration('24h').meta({
    description: 'how long the reply to a MessageSid is kept, so a Twilio retry gets the first reply (seconds, or 90s/15m/24h/1d)',
  }),
  ANNOUNCEMENT_DRAFT_TTL: duration('24h').meta({
    description: 'how long an announcement draft waits for CONFIRM (seconds, or 90s/15m/24h/1d)',
  }),
  BROADCAST_REPLY_WITHIN_MS: positiveInt(2000).meta({
    description:
      'how long CONFIRM waits for the fan-out: the true count if it finished, otherwise "sending" (the count follows by SMS); the sender lookup and the record are inside it, Twilio’s request handling around it (~0.5 s under load), so 2000 answers within 3 s',
  }),
  AccountUrl: httpUrl().meta({ description: 'account page linked in the client HELP reply' }),
  StripePortalUrl: httpUrl().meta({ description: 'Stripe customer portal linked in the client HELP reply' }),
  ClientLinkBaseUri: httpUrl().meta({ description: 'base of the client share link (<base>/<slug>)' }),
};

export interface TwilioWebhookConfig {
  accountSid: string;
  authToken: string;
  /** Public base URL (no trailing slash) used to rebuild the signed URL; undefined: from the request. */
  publicUrl?: string;
  signatureValidationDisabled: boolean;
  /** Twilio's opt-out, opt-in and help keywords with the configured extra words, upper case. */
  keywords: KeywordSets;
  replayTtlMs: number;
  draftTtlMs: number;
  /** How long CONFIRM waits for the fan-out before it answers "sending". */
  replyWithinMs: number;
  accountUrl: string;
  stripePortalUrl: string;
  clientLinkBaseUri: string;
}

export function twilioConfigFrom(e: z.output<z.ZodObject<typeof twilioEnv>>): TwilioWebhookConfig {
  return {
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    ...(e.TWILIO_WEBHOOK_PUBLIC_URL === undefined ? {} : { publicUrl: e.TWILIO_WEBHOOK_PUBLIC_URL.replace(/\/+$/, '') }),
    signatureValidationDisabled: e.TWILIO_SIGNATURE_VALIDATION_DISABLED,
    keywords: {
      optOut: [...TWILIO_DEFAULT_KEYWORDS.optOut, ...(e.TWILIO_OPT_OUT_KEYWORDS ?? [])],
      optIn: [...TWILIO_DEFAULT_KEYWORDS.optIn, ...(e.TWILIO_OPT_IN_KEYWORDS ?? [])],
      help: [...TWILIO_DEFAULT_KEYWORDS.help, ...(e.TWILIO_HELP_KEYWORDS ?? [])],
    },
    replayTtlMs: e.TWILIO_REPLAY_TTL,
    draftTtlMs: e.ANNOUNCEMENT_DRAFT_TTL,
    replyWithinMs: e.BROADCAST_REPLY_WITHIN_MS,
    accountUrl: e.AccountUrl,
    stripePortalUrl: e.StripePortalUrl,
    clientLinkBaseUri: e.ClientLinkBaseUri.replace(/\/+$/, ''),
  };
}

export const twilioWebhookConfig = configNamespace<TwilioWebhookConfig>('twilio');

/** The same extra word in two keyword variables: reported as a problem of the second one. */
export function checkTwilioKeywords(e: z.output<z.ZodObject<typeof twilioEnv>>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const name of ['TWILIO_OPT_OUT_KEYWORDS', 'TWILIO_OPT_IN_KEYWORDS', 'TWILIO_HELP_KEYWORDS'] as const) {
    for (const word of new Set(e[name] ?? [])) {
      const first = seen.get(word);
      if (first) ctx.addIssue({ code: 'custom', path: [name], message: `${word} is also in ${first}` });
      else seen.set(word, name);
    }
  }
}
