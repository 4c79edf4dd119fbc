export { fromEncodedBytes, toEncodedBytes, type EncodedBytes } from './bytes.js';
export type { DecodeError, DecodeErrorKind, DecodeInput, DecodeOptions, DecodeResult } from './decode-result.js';
export { decodeAny, decodeForeignProduct, decodeNotification, decodePayment } from './decode.js';
export * from './dead-letter.js';
export * from './encode.js';
export * from './keys.js';
export * from './messages.js';
export * from './send-sms.js';
export { GUID_PATTERN, dictionaryOf } from './wire-shapes.js';
