// What a Messaging Service may do to a message body before it sends and stores it (and so before
// its message log lists it), as Twilio documents them.
import { randomBytes } from 'node:crypto';

export interface MessagingServiceFeatures {
  /**
   * Smart Encoding (on by default for new Messaging Services): Unicode characters that have a
   * GSM-7 look-alike (curly quotes, long dashes, the ellipsis, unusual spaces) are replaced, when
   * the rest of the message can then go as GSM-7; a message with an emoji is left as it is.
   */
  smartEncoding?: boolean;
  /**
   * Link Shortening: with a verified domain, the long links of a message created with
   * `ShortenUrls=true` become `<domain>/<ten alphanumeric characters>`.
   */
  linkShorteningDomain?: string;
}

const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u2039': "'",
  '\u203A': "'",
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2009': ' ',
  '\u202F': ' ',
  '\u200B': '',
  '\uFEFF': '',
};

/** GSM 03.38's basic set and its extension table (escape-encoded), as one string of characters. */
const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€';

function smartEncode(body: string): string {
  const replaced = [...body].map((c) => LOOK_ALIKES[c] ?? c).join('');
  return [...replaced].every((c) => GSM7.includes(c)) ? replaced : body;
}

const LONG_LINK = /\bhttps?:\/\/[^\s]+/gi;

function shortenLinks(body: string, domain: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return body.replace(LONG_LINK, () => {
    const id = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
    return `${domain.replace(/\/+$/, '')}/${id}`;
  });
}

/** The body as the Messaging Service sends and stores it. */
export function serviceBody(body: string, features: MessagingServiceFeatures, form: URLSearchParams): string {
  let out = body;
  if (features.linkShorteningDomain && form.get('ShortenUrls') === 'true') out = shortenLinks(out, features.linkShorteningDomain);
  if (features.smartEncoding) out = smartEncode(out);
  return out;
}
