import type { EncodedBytes } from '@app/shared/codec/bytes.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import { scrubText } from '@app/shared/logging/redact.js';
import type { StoredDeadLetter } from './dead-letter-reader.js';
import type { ReplayRecord, ReplayStatus } from './replay-ledger.js';

/** A readable dead letter with what is known about its replay. */
export interface DeadLetterEntry extends StoredDeadLetter {
  record: DeadLetterRecord;
  status: ReplayStatus;
}

// Everything shown passes through scrubText (E.164 numbers masked to their last 4 digits, `?code=`
// removed); control characters are escaped so one value stays on one line.
const CONTROL = /[\u0000-\u001f\u007f]/g;
const escapeControl = (c: string) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const safeText = (text: string): string => scrubText(text).replace(CONTROL, escapeControl);

/** Bytes as text when they are UTF-8; otherwise only their size (they could hide anything). */
export function displayBytes(bytes: EncodedBytes | null, absent = '(none)'): string {
  if (bytes === null) return absent;
  if (bytes.encoding === 'utf8') return safeText(bytes.data);
  return `<${Buffer.from(bytes.data, 'base64').length} bytes, not UTF-8>`;
}

export function originOf(record: DeadLetterRecord): string {
  const o = record.original;
  if (o.topic) return `${o.topic}[${o.partition ?? '?'}]@${o.offset ?? '?'}`;
  if (record.stripeEventId) return `stripe ${record.stripeEventId}`;
  return '(unknown)';
}

export function replayedSummary(status: ReplayStatus): string {
  if (status.state === 'none') return 'no';
  if (status.state === 'in-progress') return 'in progress';
  return `${status.record.replayedAt} → ${replayTarget(status.record)}`;
}

function replayTarget(r: ReplayRecord): string {
  return r.target === 'kafka' ? `${r.topic}[${r.partition}]@${r.offset}` : `stripe handlers: ${r.outcome}`;
}

/** `dlq list`: one line per dead letter under a header. */
export function formatTable(entries: DeadLetterEntry[]): string[] {
  const rows = entries.map((e) => [
    e.record.id,
    e.record.source,
    safeText(e.record.reasonCode),
    String(e.record.attempts),
    e.record.failedAt,
    safeText(originOf(e.record)),
    e.status.state === 'replayed' ? e.status.record.replayedAt : e.status.state === 'in-progress' ? 'in progress' : '-',
  ]);
  const header = ['ID', 'SOURCE', 'REASON', 'ATTEMPTS', 'FAILED AT', 'ORIGINAL', 'REPLAYED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** `dlq show`: every field, the original decoded. */
export function formatDetails(e: DeadLetterEntry): string[] {
  const r = e.record;
  const o = r.original;
  const lines = [
    `id:            ${r.id}`,
    `source:        ${r.source}`,
    `reason code:   ${safeText(r.reasonCode)}`,
    `reason:        ${safeText(r.reason)}`,
    `attempts:      ${r.attempts}`,
    `failed at:     ${r.failedAt}`,
  ];
  if (r.stripeEventId) lines.push(`stripe event:  ${safeText(r.stripeEventId)} (${safeText(r.stripeEventType ?? '?')})`);
  lines.push(
    `stored at:     partition ${e.partition}, offset ${e.offset}`,
    `original:      ${o.topic ? `topic ${safeText(o.topic)}, partition ${o.partition ?? '?'}, offset ${o.offset ?? '?'}` : '(no topic: an HTTP request body)'}`,
    `  key:         ${displayBytes(o.key)}`,
    `  value:       ${displayBytes(o.value, '(tombstone)')}`,
  );
  const headers = Object.entries(o.headers);
  lines.push(`  headers:     ${headers.length === 0 ? '(none)' : ''}`.trimEnd());
  for (const [name, value] of headers) lines.push(`    ${safeText(name)}: ${displayBytes(value)}`);
  lines.push(`replayed:      ${replayedSummary(e.status)}`);
  return lines;
}

/** `--json`: the same, as one JSON object (texts scrubbed like the table). */
export function entryJson(e: DeadLetterEntry): Record<string, unknown> {
  const r = e.record;
  const o = r.original;
  const text = (b: EncodedBytes | null) => (b === null ? null : b.encoding === 'utf8' ? scrubText(b.data) : null);
  return {
    id: r.id,
    source: r.source,
    reasonCode: r.reasonCode,
    reason: scrubText(r.reason),
    attempts: r.attempts,
    failedAt: r.failedAt,
    ...(r.stripeEventId ? { stripeEventId: r.stripeEventId, stripeEventType: r.stripeEventType } : {}),
    stored: { partition: e.partition, offset: e.offset },
    original: {
      topic: o.topic ?? null,
      partition: o.partition ?? null,
      offset: o.offset ?? null,
      key: text(o.key),
      value: text(o.value),
      valueBytes: o.value === null ? null : Buffer.from(o.value.data, o.value.encoding === 'utf8' ? 'utf8' : 'base64').length,
      valueEncoding: o.value?.encoding ?? null,
      headers: Object.fromEntries(Object.entries(o.headers).map(([k, v]) => [k, text(v)])),
    },
    replayed: e.status.state === 'replayed' ? e.status.record : e.status.state === 'in-progress' ? 'in-progress' : null,
  };
}
