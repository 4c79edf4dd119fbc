import { z } from 'zod';
import { writeJsonObject } from '../codec/json-writer.js';

/**
 * The records of the broadcasts topic (ours alone: no C# service reads or writes it). They follow
 * the house style of the Nudges wire (PascalCase, `$type` first) so one reader of the topic never
 * meets two conventions. Every record carries the whole request, so any record is enough to
 * continue or report a broadcast: the fan-out keeps no state outside Kafka.
 */
export const BROADCAST_REQUESTED = 'broadcast.requested';
export const BROADCAST_PAGE = 'broadcast.page';
export const BROADCAST_COMPLETED = 'broadcast.completed';
export const BROADCAST_FAILED = 'broadcast.failed';

/** What CONFIRM records: who broadcasts what, to be fanned out to every subscriber of `clientId`. */
export interface BroadcastRequest {
  broadcastId: string;
  clientId: string;
  clientName: string;
  /** The client's phone as the SendSms records carry it: encrypted when an encryption key is set. */
  clientPhoneNumber: string;
  clientLocale: string;
  /** The client's share link, appended to every announcement. */
  link: string;
  text: string;
  /** ISO-8601, when CONFIRM arrived. */
  requestedAt: string;
}

/** How far a broadcast got: the cursor to continue after and the running counts. */
export interface BroadcastProgress {
  /** Gateway cursor after the last page produced; null before the first page. */
  cursor: string | null;
  /** SendSms produced, one per subscriber with a phone number who has not opted out. */
  sent: number;
  /** Subscribers without a phone number. */
  skipped: number;
  /** Subscribers left out because they opted out of SMS (STOP). */
  optedOut: number;
  pages: number;
  /** ISO-8601, when the first page was fetched (null before). */
  startedAt: string | null;
}

export type BroadcastRecord =
  | { type: typeof BROADCAST_REQUESTED; request: BroadcastRequest }
  | { type: typeof BROADCAST_PAGE; request: BroadcastRequest; progress: BroadcastProgress }
  | { type: typeof BROADCAST_COMPLETED; request: BroadcastRequest; progress: BroadcastProgress; finishedAt: string }
  | {
      type: typeof BROADCAST_FAILED;
      request: BroadcastRequest;
      progress: BroadcastProgress;
      finishedAt: string;
      reason: string;
      /** True when a cursor is known and the failure may pass (`broadcast resume <id>`). */
      resumable: boolean;
    };

export const initialProgress = (): BroadcastProgress => ({ cursor: null, sent: 0, skipped: 0, optedOut: 0, pages: 0, startedAt: null });

/** The record key: every record of one broadcast lands on the same partition, in order. */
export const encodeBroadcastKey = (broadcastId: string): string => writeJsonObject([['BroadcastId', broadcastId]]);

export function encodeBroadcastRecord(record: BroadcastRecord): string {
  const r = record.request;
  const entries: [string, unknown][] = [
    ['$type', record.type],
    ['BroadcastId', r.broadcastId],
    ['ClientId', r.clientId],
    ['ClientName', r.clientName],
    ['ClientPhoneNumber', r.clientPhoneNumber],
    ['ClientLocale', r.clientLocale],
    ['Link', r.link],
    ['Text', r.text],
    ['RequestedAt', r.requestedAt],
  ];
  if (record.type !== BROADCAST_REQUESTED) {
    const p = record.progress;
    entries.push(
      ['Cursor', p.cursor],
      ['Sent', p.sent],
      ['Skipped', p.skipped],
      ['OptedOut', p.optedOut],
      ['Pages', p.pages],
      ['StartedAt', p.startedAt],
    );
  }
  if (record.type === BROADCAST_COMPLETED || record.type === BROADCAST_FAILED) entries.push(['FinishedAt', record.finishedAt]);
  if (record.type === BROADCAST_FAILED) entries.push(['Reason', record.reason], ['Resumable', record.resumable]);
  return writeJsonObject(entries);
}

const text = z.string().min(1);
const count = z.number().int().min(0);
const isoTime = z.iso.datetime({ offset: true });

const requestSchema = z.object({
  BroadcastId: text,
  ClientId: text,
  ClientName: z.string(),
  ClientPhoneNumber: text,
  ClientLocale: text,
  Link: z.string(),
  Text: text,
  RequestedAt: isoTime,
});

const progressSchema = z.object({
  Cursor: z.string().min(1).nullable(),
  Sent: count,
  Skipped: count,
  OptedOut: count,
  Pages: count,
  StartedAt: isoTime.nullable(),
});

const recordSchema = z.discriminatedUnion('$type', [
  requestSchema.extend({ $type: z.literal(BROADCAST_REQUESTED) }),
  requestSchema.extend({ $type: z.literal(BROADCAST_PAGE) }).extend(progressSchema.shape),
  requestSchema.extend({ $type: z.literal(BROADCAST_COMPLETED), FinishedAt: isoTime }).extend(progressSchema.shape),
  requestSchema
    .extend({ $type: z.literal(BROADCAST_FAILED), FinishedAt: isoTime, Reason: z.string(), Resumable: z.boolean() })
    .extend(progressSchema.shape),
]);

export type BroadcastDecodeResult = { ok: true; record: BroadcastRecord } | { ok: false; reason: string };

/** Reads a broadcasts-topic value; anything else is refused with a reason (never thrown). */
export function decodeBroadcastRecord(value: Buffer | string | null): BroadcastDecodeResult {
  if (value === null) return { ok: false, reason: 'empty value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ') };
  return { ok: true, record: toRecord(parsed.data) };
}

type Parsed = z.output<typeof recordSchema>;

function toRecord(p: Parsed): BroadcastRecord {
  const request: BroadcastRequest = {
    broadcastId: p.BroadcastId,
    clientId: p.ClientId,
    clientName: p.ClientName,
    clientPhoneNumber: p.ClientPhoneNumber,
    clientLocale: p.ClientLocale,
    link: p.Link,
    text: p.Text,
    requestedAt: p.RequestedAt,
  };
  if (p.$type === BROADCAST_REQUESTED) return { type: p.$type, request };
  const progress: BroadcastProgress = {
    cursor: p.Cursor,
    sent: p.Sent,
    skipped: p.Skipped,
    optedOut: p.OptedOut,
    pages: p.Pages,
    startedAt: p.StartedAt,
  };
  if (p.$type === BROADCAST_PAGE) return { type: p.$type, request, progress };
  if (p.$type === BROADCAST_COMPLETED) return { type: p.$type, request, progress, finishedAt: p.FinishedAt };
  return { type: p.$type, request, progress, finishedAt: p.FinishedAt, reason: p.Reason, resumable: p.Resumable };
}
