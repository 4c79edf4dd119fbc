/** Form parameters as twilio's signature functions take them: a repeated name keeps every value. */
export type FormParams = Record<string, string | string[]>;

/** The fields of an inbound SMS webhook this service acts on. */
export interface InboundSms {
  from: string;
  to?: string;
  body: string;
  messageSid?: string;
  /** Twilio's classification of an opt-out, opt-in or help keyword (Advanced Opt-Out): STOP, START or HELP. */
  optOutType?: OptOutType;
  /** Every posted parameter, for the signature check. */
  params: FormParams;
}

/** The request is not a usable Twilio SMS webhook; answered 400 with `message`. */
export class InvalidInboundSmsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInboundSmsError';
  }
}

export type OptOutType = 'STOP' | 'START' | 'HELP';
const OPT_OUT_TYPES: readonly string[] = ['STOP', 'START', 'HELP'];

const SINGLE_VALUED = ['From', 'To', 'Body', 'MessageSid'] as const;
const MESSAGE_SID = /^[A-Za-z0-9]{1,64}$/;

/**
 * Decodes an `application/x-www-form-urlencoded` body (UTF-8). A name posted more than once keeps
 * all its values (in order) so the signature is computed over what was sent; the fields acted on
 * (`From`, `To`, `Body`, `MessageSid`) must appear at most once, otherwise the request is ambiguous.
 */
export function parseForm(raw: Buffer): FormParams {
  const params: FormParams = Object.create(null) as FormParams;
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

/** @throws InvalidInboundSmsError for a missing `From`/`Body`, a repeated field or a malformed `MessageSid`. */
export function toInboundSms(params: FormParams): InboundSms {
  for (const name of SINGLE_VALUED) {
    if (Array.isArray(params[name])) throw new InvalidInboundSmsError(`${name} must appear once`);
  }
  const from = single(params, 'From')?.trim();
  const body = single(params, 'Body');
  if (!from) throw new InvalidInboundSmsError('From is required');
  if (body === undefined) throw new InvalidInboundSmsError('Body is required');
  const messageSid = single(params, 'MessageSid');
  if (messageSid !== undefined && !MESSAGE_SID.test(messageSid)) throw new InvalidInboundSmsError('MessageSid is malformed');
  const to = single(params, 'To');
  // Only a value Twilio defines counts; anything else (or a repeated one) is as if absent.
  const optOutType = single(params, 'OptOutType')?.toUpperCase();
  return {
    from,
    body,
    params,
    ...(to === undefined ? {} : { to }),
    ...(messageSid ? { messageSid } : {}),
    ...(optOutType !== undefined && OPT_OUT_TYPES.includes(optOutType) ? { optOutType: optOutType as OptOutType } : {}),
  };
}

const single = (params: FormParams, name: string): string | undefined => {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
};
