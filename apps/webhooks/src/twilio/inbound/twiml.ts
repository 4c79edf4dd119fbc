// The module itself rather than the package index, which also loads twilio's REST client (axios,
// jsonwebtoken, every API resource): ~6 MB of heap this service never uses.
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse.js';

// Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
const XML_ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const TWIML_CONTENT_TYPE = 'text/xml; charset=utf-8';

/**
 * A TwiML reply built by twilio's MessagingResponse, which escapes `<`, `>` and `&` (quotes need
 * no escaping in element text). No text, or blank text: an empty `<Response/>`.
 */
export function twimlReply(text?: string): string {
  const response = new MessagingResponse();
  const safe = text?.replace(XML_ILLEGAL, '');
  if (safe && safe.trim() !== '') response.message(safe);
  return response.toString();
}
