import type { IHeaders } from 'kafkajs';
import { BROADCAST_ID_HEADER, isBroadcastId } from '@app/shared/broadcast/broadcast-id.js';

/** The broadcast a SendSms belongs to (the fan-out's `nudges-broadcast-id` header), when it is one. */
export function broadcastIdOf(headers: IHeaders): string | undefined {
  const raw = headers[BROADCAST_ID_HEADER];
  const one = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (one === undefined) return undefined;
  const text = typeof one === 'string' ? one : one.toString('utf8');
  return isBroadcastId(text) ? text : undefined;
}
