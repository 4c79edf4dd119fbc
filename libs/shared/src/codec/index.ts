export { fromEncodedBytes, toEncodedBytes, type EncodedBytes } from './bytes.js';
export type { DecodeError, DecodeErrorKind, DecodeInput, DecodeOptions, DecodeResult } from './decode-result.js';
export { decodeAny, decodeDeadLetter, decodeForeignProduct, decodeNotification, decodePayment } from './decode.js';
export * from './dead-letter.js';
export * from './encode.js';
export * from './keys.js';
export * from './messages.js';
export {
  GUID_PATTERN,
  clientNotificationSchema,
  deadLetterRecordSchema,
  encodedBytesSchema,
  foreignProductCreatedSchema,
  foreignProductSynchronizedSchema,
  paymentCompletedSchema,
  sendSmsSchema,
} from './schemas.js';
