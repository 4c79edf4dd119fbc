import type { EncodedBytes } from '@app/shared/codec/bytes.js';
import { FailureType, type DeadLetterRecord, type EdgeDeadLetterDetails } from '@app/shared/codec/messages.js';
import { exceptionText, headerText, maskText, stackTraceSummary } from '@app/shared/logging/free-text-mask.js';
import type { StoredDeadLetter } from './dead-letter-reader.js';
import type { ReplayRecord, ReplayStatus } from './replay-ledger.js';
import { deadLetterId, originOf, reasonOf, type ReplayTarget } from './replay-plan.js';

/** A readable dead letter with what is known about its replay. */
export interface DeadLetterEntry extends StoredDeadLetter {
  record: DeadLetterRecord;
  status: ReplayStatus;
}

// Everything shown is masked (phone numbers in any format to their last 4 digits, secrets and
// `?code=` removed, see dead-letter-mask.ts); control characters are escaped so one value stays on
// one line. Stack traces are never shown, only counted.
const CONTROL = /[\u0000-\u001f\u007f]/g;
const escapeControl = (c: string) =>
  c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

const oneLine = (text: string): string => text.replace(CONTROL, escapeControl);

export const safeText = (text: string): string => oneLine(maskText(text));

/** Bytes as text when they are UTF-8; otherwise only their size (they could hide anything). */
export function displayBytes(bytes: EncodedBytes | null, absent = '(none)'): string {
  if (bytes === null) return absent;
  if (bytes.encoding === 'utf8') return safeText(bytes.data);
  return `<${Buffer.from(bytes.data, 'base64').length} bytes, not UTF-8>`;
}

const FAILURE_TYPE_NAMES = new Map<number, string>(Object.entries(FailureType).map(([name, n]) => [n, name]));
export const failureTypeText = (n: number): string => `${n} (${FAILURE_TYPE_NAMES.get(n) ?? 'unknown'})`;

/** Where the failed message came from, in one cell. */
export function originalSummary(record: DeadLetterRecord): string {
  const edge = record.edge;
  if (!edge) return safeText(record.topic);
  const o = edge.original;
  if (o.topic) return `${safeText(o.topic)}[${o.partition ?? '?'}]@${o.offset ?? '?'}`;
  if (edge.stripeEventId) return `stripe ${safeText(edge.stripeEventId)}`;
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

/** What `dlq replay` would do with it, in one line. */
export function replayPlanSummary(target: ReplayTarget): string {
  return target.kind === 'refused' ? `refused: ${target.why}` : `to ${target.describe}`;
}

/** `dlq list`: one line per dead letter under a header. */
export function formatTable(entries: DeadLetterEntry[]): string[] {
  const rows = entries.map((e) => [
    deadLetterId(e.record),
    originOf(e.record),
    e.record.edge?.source ?? '-',
    safeText(reasonOf(e.record)),
    String(e.record.attemptCount),
    // The codec accepts only an ISO-8601 timestamp: digits that are no phone number, never masked.
    e.record.timestamp || '-',
    originalSummary(e.record),
    e.status.state === 'replayed' ? e.status.record.replayedAt : e.status.state === 'in-progress' ? 'in progress' : '-',
  ]);
  const header = ['ID', 'ORIGIN', 'SOURCE', 'REASON', 'ATTEMPTS', 'FAILED AT', 'ORIGINAL', 'REPLAYED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

const label = (name: string, value: string) => `${`${name}:`.padEnd(14)} ${value}`.trimEnd();

/** `dlq show`: every field, masked; stack traces only counted. `replay` is what a replay would do. */
export function formatDetails(e: DeadLetterEntry, replay?: ReplayTarget): string[] {
  const r = e.record;
  const lines = [label('id', deadLetterId(r))];
  if (r.edge) {
    lines.push(
      label('origin', 'edge (written by this project)'),
      label('source', r.edge.source),
      label('reason code', safeText(r.edge.reasonCode)),
    );
    lines.push(label('reason', safeText(exceptionText(r.exceptionMessage) ?? '')));
    if (r.exceptionType !== r.edge.reasonCode) lines.push(label('exception', safeText(r.exceptionType)));
  } else {
    lines.push(label('origin', 'csharp (written by a C# handler)'), label('exception', safeText(r.exceptionType)));
    lines.push(label('message', safeText(exceptionText(r.exceptionMessage) ?? '')));
  }
  const stack = stackTraceSummary(r.stackTrace);
  if (stack) lines.push(label('stack trace', stack));
  if (r.innerExceptionType !== null || r.innerExceptionMessage !== null || r.innerExceptionStackTrace !== null) {
    lines.push(label('inner', safeText(r.innerExceptionType ?? '(no type)')));
    if (r.innerExceptionMessage !== null) lines.push(label('inner message', safeText(exceptionText(r.innerExceptionMessage) ?? '')));
    const innerStack = stackTraceSummary(r.innerExceptionStackTrace);
    if (innerStack) lines.push(label('inner stack', innerStack));
  }
  lines.push(
    label('failure type', failureTypeText(r.failureType)),
    label('attempts', String(r.attemptCount)),
    label('failed at', r.timestamp || '(not recorded)'),
    label('topic', safeText(r.topic)),
  );
  if (e.key) lines.push(label('failed key', safeText(e.key.failedKey.type)));
  if (r.edge?.stripeEventId)
    lines.push(label('stripe event', `${safeText(r.edge.stripeEventId)} (${safeText(r.edge.stripeEventType ?? '?')})`));
  lines.push(label('stored at', `partition ${e.partition}, offset ${e.offset}`));
  lines.push(...(r.edge ? edgeOriginalLines(r.edge) : csharpOriginalLines(r)));
  if (replay) lines.push(label('replay', safeText(replayPlanSummary(replay))));
  lines.push(label('replayed', replayedSummary(e.status)));
  return lines;
}

function edgeOriginalLines(edge: EdgeDeadLetterDetails): string[] {
  const o = edge.original;
  const lines = [
    label(
      'original',
      o.topic
        ? `topic ${safeText(o.topic)}, partition ${o.partition ?? '?'}, offset ${o.offset ?? '?'}`
        : '(no topic: an HTTP request body)',
    ),
    label('  key', displayBytes(o.key)),
    label('  value', displayBytes(o.value, '(tombstone)')),
  ];
  const headers = Object.entries(o.headers);
  lines.push(label('  headers', headers.length === 0 ? '(none)' : ''));
  for (const [name, value] of headers)
    lines.push(`    ${safeText(name)}: ${value.encoding === 'utf8' ? oneLine(headerText(name, value.data)) : displayBytes(value)}`);
  return lines;
}

function csharpOriginalLines(r: DeadLetterRecord): string[] {
  const text = (json: string | null) => (json === null ? '(none)' : safeText(json));
  const lines = [
    label('original', 'as the C# handler re-serialized it (OriginalKeyJson, OriginalValueJson, OriginalHeaders)'),
    label('  key', text(r.originalKeyJson)),
    label('  value', text(r.originalValueJson)),
  ];
  const headers = Object.entries(r.originalHeaders ?? {});
  lines.push(label('  headers', headers.length === 0 ? '(none)' : ''));
  for (const [name, value] of headers) lines.push(`    ${safeText(name)}: ${oneLine(headerText(name, value))}`);
  return lines;
}

/** `--json`: the same, as one JSON object (texts masked like the table, stack traces only counted). */
export function entryJson(e: DeadLetterEntry, replay?: ReplayTarget): Record<string, unknown> {
  const r = e.record;
  return {
    id: deadLetterId(r),
    origin: originOf(r),
    source: r.edge?.source ?? null,
    reasonCode: reasonOf(r),
    exceptionType: maskText(r.exceptionType),
    reason: exceptionText(r.exceptionMessage),
    stackTrace: stackTraceSummary(r.stackTrace),
    innerExceptionType: r.innerExceptionType === null ? null : maskText(r.innerExceptionType),
    innerExceptionMessage: exceptionText(r.innerExceptionMessage),
    innerExceptionStackTrace: stackTraceSummary(r.innerExceptionStackTrace),
    failureType: r.failureType,
    attempts: r.attemptCount,
    failedAt: r.timestamp || null,
    topic: maskText(r.topic),
    failedKeyType: e.key ? maskText(e.key.failedKey.type) : null,
    ...(r.edge?.stripeEventId ? { stripeEventId: r.edge.stripeEventId, stripeEventType: r.edge.stripeEventType } : {}),
    stored: { partition: e.partition, offset: e.offset },
    original: r.edge ? edgeOriginalJson(r.edge) : csharpOriginalJson(r),
    ...(replay ? { replay: replay.kind === 'refused' ? { refused: maskText(replay.why) } : { to: maskText(replay.describe) } } : {}),
    replayed: e.status.state === 'replayed' ? e.status.record : e.status.state === 'in-progress' ? 'in-progress' : null,
  };
}

function edgeOriginalJson(edge: EdgeDeadLetterDetails): Record<string, unknown> {
  const o = edge.original;
  const text = (b: EncodedBytes | null) => (b === null ? null : b.encoding === 'utf8' ? maskText(b.data) : null);
  return {
    topic: o.topic ?? null,
    partition: o.partition ?? null,
    offset: o.offset ?? null,
    key: text(o.key),
    value: text(o.value),
    valueBytes: o.value === null ? null : Buffer.from(o.value.data, o.value.encoding === 'utf8' ? 'utf8' : 'base64').length,
    valueEncoding: o.value?.encoding ?? null,
    headers: Object.fromEntries(
      Object.entries(o.headers).map(([k, v]) => [maskText(k), v.encoding === 'utf8' ? headerText(k, v.data) : null]),
    ),
  };
}

function csharpOriginalJson(r: DeadLetterRecord): Record<string, unknown> {
  return {
    topic: maskText(r.topic),
    partition: null,
    offset: null,
    key: r.originalKeyJson === null ? null : maskText(r.originalKeyJson),
    value: r.originalValueJson === null ? null : maskText(r.originalValueJson),
    valueBytes: r.originalValueJson === null ? null : Buffer.byteLength(r.originalValueJson, 'utf8'),
    valueEncoding: r.originalValueJson === null ? null : 'utf8',
    headers: Object.fromEntries(Object.entries(r.originalHeaders ?? {}).map(([k, v]) => [maskText(k), headerText(k, v)])),
  };
}
