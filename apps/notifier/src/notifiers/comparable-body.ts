/**
 * The text of an SMS reduced to what survives the rewrites a Messaging Service may apply to a body
 * before storing it in its message log, so that an earlier attempt's message is recognised there:
 *
 * - Smart Encoding replaces Unicode punctuation and spaces by GSM-7 equivalents (curly quotes,
 *   dashes, ellipsis, non-breaking and other spaces);
 * - Link Shortening replaces each http(s) link by a short one on Twilio's or the customer's domain;
 * - whitespace may change around both.
 *
 * Both sides are reduced the same way: every link becomes one placeholder, the characters Smart
 * Encoding may touch their plain equivalent, whitespace runs one space. Compatibility
 * normalisation (NFKC) first takes care of full-width forms and the like.
 */
export function comparableBody(text: string): string {
  return text
    .normalize('NFKC')
    .replace(LINK, LINK_PLACEHOLDER)
    .replace(SMART_CHARACTER, (c) => PLAIN_EQUIVALENT[c] ?? c)
    .replace(INVISIBLE, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

const LINK = /\bhttps?:\/\/[^\s<>"'“”‘’]+/giu;
const LINK_PLACEHOLDER = '\u0000link\u0000';

/** Characters Smart Encoding may replace, and what they become (NFKC already turned `…` into `...`). */
const PLAIN_EQUIVALENT: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u2039': "'",
  '\u203A': "'",
  '\u00B4': "'",
  '\u02BC': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u301D': '"',
  '\u301E': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2022': '-',
  '\u02C6': '^',
  '\u02DC': '~',
};
const SMART_CHARACTER = new RegExp(`[${Object.keys(PLAIN_EQUIVALENT).join('')}]`, 'gu');
/** Zero-width characters that carry no text (the emoji joiner U+200D is kept: it is part of an emoji). */
const INVISIBLE = /[\u200B\u200C\u2060\uFEFF\u00AD]/gu;
