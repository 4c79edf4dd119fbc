import { fromEncodedBytes } from '@app/shared/codec/bytes.js';
import { decodeNotification } from '@app/shared/codec/decode.js';
import type { DeadLetterRecord, EdgeDeadLetterDetails } from '@app/shared/codec/messages.js';
import { isSendSms, sendSmsRecipient } from '@app/shared/codec/send-sms.js';
import { maskPhone } from '@app/shared/crypto/mask.js';

/** Who wrote a dead letter: this project (`edge`: it carries our properties) or a C# handler. */
export type DeadLetterOrigin = 'edge' | 'csharp';

export const originOf = (record: DeadLetterRecord): DeadLetterOrigin => (record.edge ? 'edge' : 'csharp');

/** The record's id (C#'s `EventKey.Id`): what `show`/`replay` take and the replay ledger remembers. */
export const deadLetterId = (record: DeadLetterRecord): string => record.eventKey.id;

/** Our reason code; for a C# record, its exception type (what `--reason` matches). */
export const reasonOf = (record: DeadLetterRecord): string => record.edge?.reasonCode ?? record.exceptionType;

/** A message to put back on Kafka: key, value and headers before the replay headers are added. */
export interface KafkaReplayMessage {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

export type ReplayTarget =
  /** `original`: our byte-exact copy; `csharp-json`: a C# record's OriginalKeyJson/OriginalValueJson. */
  | { kind: 'kafka'; from: 'original' | 'csharp-json'; message: KafkaReplayMessage; describe: string }
  | { kind: 'stripe'; eventId: string; body: Buffer; describe: string }
  | { kind: 'refused'; why: string };

/**
 * Where a dead letter goes back to, or why it does not.
 *
 * - Ours, with an original topic: the byte-exact original to that topic.
 * - Ours, of a Stripe webhook: the exact body Stripe sent, through the Stripe handlers.
 * - A C# handler's: only a SendSms of the notifications topic that names a recipient, republished
 *   from its OriginalKeyJson / OriginalValueJson / OriginalHeaders (as UTF-8) to that topic. C#
 *   re-serialized the message it had deserialized, so these are not the original bytes; the
 *   notifier reads them all the same. Anything else (another topic, another event type, no
 *   recipient left) is refused: nothing of this project would handle it.
 */
export function replayTargetOf(record: DeadLetterRecord, notificationsTopic: string): ReplayTarget {
  return record.edge ? edgeTarget(record.edge) : csharpTarget(record, notificationsTopic);
}

function edgeTarget(edge: EdgeDeadLetterDetails): ReplayTarget {
  const { original } = edge;
  if (original.topic) {
    const headers: Record<string, Buffer> = {};
    for (const [name, value] of Object.entries(original.headers)) headers[name] = fromEncodedBytes(value);
    const message = {
      topic: original.topic,
      key: original.key === null ? null : fromEncodedBytes(original.key),
      value: original.value === null ? null : fromEncodedBytes(original.value),
      headers,
    };
    return { kind: 'kafka', from: 'original', message, describe: `topic ${original.topic}` };
  }
  if (edge.source === 'webhooks' && edge.stripeEventId && original.value) {
    return {
      kind: 'stripe',
      eventId: edge.stripeEventId,
      body: fromEncodedBytes(original.value),
      describe: `Stripe handlers (${edge.stripeEventId})`,
    };
  }
  return { kind: 'refused', why: 'neither an original topic nor a Stripe event to replay' };
}

function csharpTarget(record: DeadLetterRecord, notificationsTopic: string): ReplayTarget {
  const refuse = (why: string): ReplayTarget => ({
    kind: 'refused',
    why: `written by a C# handler: ${why}; only a SendSms of ${notificationsTopic} with a recipient is replayed`,
  });
  if (record.topic !== notificationsTopic) return refuse(`its topic ${JSON.stringify(record.topic)} is not the notifications topic`);
  if (record.originalValueJson === null) return refuse('it has no OriginalValueJson');
  const value = Buffer.from(record.originalValueJson, 'utf8');
  const key = record.originalKeyJson === null ? null : Buffer.from(record.originalKeyJson, 'utf8');
  const decoded = decodeNotification(value);
  if (!decoded.ok) return refuse(`its OriginalValueJson is not a notification the notifier reads (${decoded.error.kind})`);
  if (!isSendSms(decoded.value)) return refuse(`its OriginalValueJson is a ${decoded.value.$type}, which the notifier does not send`);
  const recipient = sendSmsRecipient(decoded.value, key);
  if (!recipient) return refuse('its SendSms names no recipient (no PhoneNumber, and no EventKey in OriginalKeyJson)');

  const headers: Record<string, Buffer> = {};
  for (const [name, text] of Object.entries(record.originalHeaders ?? {})) headers[name] = Buffer.from(text, 'utf8');
  return {
    kind: 'kafka',
    from: 'csharp-json',
    message: { topic: record.topic, key, value, headers },
    describe: `topic ${record.topic} (SendSms to ${maskPhone(recipient)}, from OriginalKeyJson/OriginalValueJson)`,
  };
}
