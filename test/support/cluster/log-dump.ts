// Reads DumpLogSegments' lines (kafkaLogDump) back into what matters when a record was found twice:
// which producer wrote each copy, in which transaction, and how that transaction ended.
import { kafkaLogDump } from '../stack.js';

export interface LogBatch {
  baseOffset: number;
  lastOffset: number;
  producerId: number;
  producerEpoch: number;
  transactional: boolean;
  /** For a control batch: the marker it holds. */
  marker?: 'COMMIT' | 'ABORT';
}

const BATCH =
  /^baseOffset: (\d+) lastOffset: (\d+) .*producerId: (-?\d+) producerEpoch: (-?\d+) .*isTransactional: (true|false) isControl: (true|false)/;
const MARKER = /offset: (\d+) .*endTxnMarker: (COMMIT|ABORT)/;

/** The batches of the dump, each control batch with its marker. */
export function parseLogDump(lines: readonly string[]): LogBatch[] {
  const batches: LogBatch[] = [];
  for (const line of lines) {
    const batch = BATCH.exec(line);
    if (batch) {
      batches.push({
        baseOffset: Number(batch[1]),
        lastOffset: Number(batch[2]),
        producerId: Number(batch[3]),
        producerEpoch: Number(batch[4]),
        transactional: batch[5] === 'true',
      });
      continue;
    }
    const marker = MARKER.exec(line);
    const last = batches[batches.length - 1];
    if (marker && last && Number(marker[1]) === last.baseOffset) last.marker = marker[2] as 'COMMIT' | 'ABORT';
  }
  return batches;
}

/**
 * One line per batch from the one holding `from` to the one holding `to`, then the markers that
 * end the transactions still open there: "2225-2315 pid 7 epoch 3 txn", "2316 ABORT pid 7 epoch 3".
 * At most `limit` lines.
 */
export function describeLogBetween(batches: readonly LogBatch[], from: number, to: number, limit = 40): string[] {
  const open = new Set<number>();
  const lines: string[] = [];
  for (const b of batches) {
    if (b.lastOffset < from) continue;
    if (b.baseOffset > to) {
      if (open.size === 0) break;
      if (!b.marker || !open.has(b.producerId)) continue;
    }
    const who = `pid ${b.producerId} epoch ${b.producerEpoch}`;
    lines.push(b.marker ? `${b.baseOffset} ${b.marker} ${who}` : `${b.baseOffset}-${b.lastOffset} ${who}${b.transactional ? ' txn' : ''}`);
    if (b.marker) open.delete(b.producerId);
    else if (b.transactional) open.add(b.producerId);
  }
  return lines.length > limit ? [...lines.slice(0, limit), `… ${lines.length - limit} more`] : lines;
}

/** What Kafka's log on node `index` says about the records at `offsets` of one partition. */
export function explainPositions(topic: string, partition: number, offsets: readonly number[], index = 0): string[] {
  try {
    const batches = parseLogDump(kafkaLogDump(topic, partition, index));
    return describeLogBetween(batches, Math.min(...offsets), Math.max(...offsets));
  } catch (err) {
    return [`no log dump: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`];
  }
}
