import type { BroadcastDeliveryOutcome } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { isBroadcastId } from '@app/shared/broadcast/broadcast-id.js';
import type { FormParams } from '../inbound/inbound-sms.js';

/**
 * Every status Twilio reports for an outbound message. Only the last five are final: nothing
 * follows them (`read` is WhatsApp's, after `delivered`; `canceled` a scheduled message's).
 */
const INTERMEDIATE = ['accepted', 'scheduled', 'queued', 'sending', 'sent', 'receiving', 'received', 'partially_delivered'] as const;
const FINAL = ['delivered', 'read', 'undelivered', 'failed', 'canceled'] as const;

export type FinalStatus = (typeof FINAL)[number];
export type MessageStatus = (typeof INTERMEDIATE)[number] | FinalStatus;

export const isFinalStatus = (status: MessageStatus): status is FinalStatus => (FINAL as readonly string[]).includes(status);

/** How a final status counts for a broadcast. */
export function broadcastOutcomeOf(status: FinalStatus): BroadcastDeliveryOutcome {
  if (status === 'delivered' || status === 'read') return 'delivered';
  return status === 'undelivered' ? 'undelivered' : 'failed';
}

/** One status callback: what Twilio says happened to one message. */
export interface StatusCallback {
  messageSid: string;
  /** A status this service does not know (Twilio may add some) is kept as `unknown`. */
  status: MessageStatus | 'unknown';
  /** Twilio's error code, for undelivered and failed messages (30003 unreachable, 30007 filtered, 30036 expired...). */
  errorCode?: number;
  /** The broadcast the message belongs to, from the `broadcast` query parameter the notifier added. */
  broadcastId?: string;
  /** Every posted parameter, for the signature check. */
  params: FormParams;
}

/** The request is not a usable status callback; answered 400 with `message`. */
export class InvalidStatusCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStatusCallbackError';
  }
}

const MESSAGE_SID = /^(?:SM|MM)[0-9a-fA-F]{32}$/;
const STATUS = /^[a-z_]{1,32}$/;
const ERROR_CODE = /^\d{1,6}$/;
const KNOWN: readonly string[] = [...INTERMEDIATE, ...FINAL];

/**
 * Reads a status callback: `MessageSid` (SM/MM + 32 hex) and `MessageStatus` required, once each;
 * `ErrorCode` optional, digits; the `broadcast` query parameter optional, a broadcast id.
 * @throws InvalidStatusCallbackError
 */
export function toStatusCallback(params: FormParams, query: Record<string, unknown>): StatusCallback {
  const messageSid = once(params, 'MessageSid');
  const status = once(params, 'MessageStatus');
  if (messageSid === undefined || !MESSAGE_SID.test(messageSid)) throw new InvalidStatusCallbackError('MessageSid is missing or malformed');
  if (status === undefined || !STATUS.test(status)) throw new InvalidStatusCallbackError('MessageStatus is missing or malformed');
  const errorCode = once(params, 'ErrorCode');
  if (errorCode !== undefined && errorCode !== '' && !ERROR_CODE.test(errorCode))
    throw new InvalidStatusCallbackError('ErrorCode is malformed');
  const broadcast = query.broadcast;
  if (broadcast !== undefined && !isBroadcastId(broadcast)) throw new InvalidStatusCallbackError('broadcast is malformed');
  return {
    messageSid,
    status: KNOWN.includes(status) ? (status as MessageStatus) : 'unknown',
    params,
    ...(errorCode ? { errorCode: Number(errorCode) } : {}),
    ...(broadcast === undefined ? {} : { broadcastId: broadcast }),
  };
}

/** The value of a parameter that must appear at most once. */
function once(params: FormParams, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) throw new InvalidStatusCallbackError(`${name} must appear once`);
  return value;
}
