import { z } from 'zod';
import { parseEnv } from '@app/shared/config/env.js';
import { parseDurationMs } from '@app/shared/config/duration.js';
import { checkTwilioKeywords, twilioConfigFrom, twilioEnv } from './twilio.env.js';

const base = {
  TWILIO_ACCOUNT_SID: 'AC1',
  TWILIO_AUTH_TOKEN: 'token',
  AccountUrl: 'https://app.example.com/account',
  StripePortalUrl: 'https://billing.example.com/p',
  ClientLinkBaseUri: 'https://app.example.com/',
};
const load = (env: Record<string, string>) => twilioConfigFrom(parseEnv(z.object(twilioEnv), { ...base, ...env }));

describe('twilio env', () => {
  it.each([
    ['86400', 86_400_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['1d', 86_400_000],
    ['1500ms', 1500],
  ])('parses the duration %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['0', '10ms', '-5', '1w', 'PT24H', 'soon'])('refuses the duration %s', (text) => expect(parseDurationMs(text)).toBeUndefined());

  it('has the documented defaults', () => {
    expect(load({})).toMatchObject({
      signatureValidationDisabled: false,
      keywords: {
        optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
        optIn: ['START', 'UNSTOP', 'YES'],
        help: ['HELP', 'INFO'],
      },
      draftTtlMs: 86_400_000,
      replayTtlMs: 86_400_000,
      clientLinkBaseUri: 'https://app.example.com',
    });
    expect(load({}).publicUrl).toBeUndefined();
    // The broadcast's page size is GRAPHQL_PAGE_SIZE (gateway section), not a Twilio variable.
    expect(load({ ANNOUNCEMENT_PAGE_SIZE: '500' })).not.toHaveProperty('pageSize');
  });

  it('reads the public URL, the off flag, the keywords and the TTL', () => {
    expect(
      load({
        TWILIO_WEBHOOK_PUBLIC_URL: 'https://hooks.example.com/edge/',
        TWILIO_SIGNATURE_VALIDATION_DISABLED: 'true',
        TWILIO_OPT_OUT_KEYWORDS: 'baja, arrêt ,',
        TWILIO_OPT_IN_KEYWORDS: 'alta',
        TWILIO_HELP_KEYWORDS: 'ayuda',
        ANNOUNCEMENT_DRAFT_TTL: '2h',
      }),
    ).toMatchObject({
      publicUrl: 'https://hooks.example.com/edge',
      signatureValidationDisabled: true,
      keywords: {
        optOut: expect.arrayContaining(['STOP', 'OPTOUT', 'BAJA', 'ARRÊT']),
        optIn: ['START', 'UNSTOP', 'YES', 'ALTA'],
        help: ['HELP', 'INFO', 'AYUDA'],
      },
      draftTtlMs: 7_200_000,
    });
  });

  it.each([
    ['TWILIO_OPT_OUT_KEYWORDS', 'stop please', 'one word'],
    ['TWILIO_OPT_OUT_KEYWORDS', 'baja!', 'one word'],
    ['TWILIO_OPT_IN_KEYWORDS', 'x'.repeat(33), 'one word'],
    ['TWILIO_OPT_IN_KEYWORDS', 'stop', 'STOP is already an opt-out keyword'],
    ['TWILIO_HELP_KEYWORDS', 'yes', 'YES is already an opt-in keyword'],
    ['TWILIO_HELP_KEYWORDS', 'confirm', 'CONFIRM is already a Nudges command'],
  ])('refuses %s=%p', (name, value, problem) => {
    expect(() => load({ [name]: value })).toThrow(new RegExp(`${name}: .*${problem}`));
  });

  it('refuses one extra word in two keyword variables, naming the second', () => {
    const schema = z.object(twilioEnv).superRefine(checkTwilioKeywords);
    expect(() => parseEnv(schema, { ...base, TWILIO_OPT_OUT_KEYWORDS: 'baja', TWILIO_HELP_KEYWORDS: 'Baja' })).toThrow(
      /TWILIO_HELP_KEYWORDS: BAJA is also in TWILIO_OPT_OUT_KEYWORDS/,
    );
    expect(() => parseEnv(schema, { ...base, TWILIO_OPT_OUT_KEYWORDS: 'baja,baja' })).not.toThrow();
  });

  it('names the variable of a bad value', () => {
    expect(() => load({ ANNOUNCEMENT_DRAFT_TTL: 'forever', TWILIO_REPLAY_TTL: 'never' })).toThrow(
      /ANNOUNCEMENT_DRAFT_TTL[\s\S]*TWILIO_REPLAY_TTL|TWILIO_REPLAY_TTL[\s\S]*ANNOUNCEMENT_DRAFT_TTL/,
    );
  });
});
