import { Injectable } from '@nestjs/common';
import { CliUsageError } from '../cli.errors.js';
import { EXIT_FAILED, EXIT_OK, type CliOutput } from '../cli-output.js';
import { entryJson, formatDetails, formatTable, safeText, type DeadLetterEntry } from './dead-letter-format.js';
import { DlqService, reasonMatches, type ReplayResult } from './dlq.service.js';
import { originOf, reasonOf, replayTargetOf } from './replay-plan.js';

export interface ListOptions {
  reason?: string;
  source?: string;
  /** Only dead letters written by this project (`edge`) or by a C# handler (`csharp`). */
  origin?: string;
  /** Only dead letters not replayed yet. */
  pending?: boolean;
  json?: boolean;
}

export interface ReplayCommandOptions {
  all?: boolean;
  reason?: string;
  force?: boolean;
  dryRun?: boolean;
}

/** `dlq list | show | replay`: reads and replays through DlqService, prints for operators. */
@Injectable()
export class DlqCli {
  constructor(private readonly dlq: DlqService) {}

  async list(options: ListOptions, out: CliOutput): Promise<number> {
    const { entries, unreadable } = await this.dlq.load();
    const shown = entries.filter(
      (e) =>
        (!options.reason || reasonMatches(reasonOf(e.record), options.reason)) &&
        (!options.source || e.record.edge?.source === options.source) &&
        (!options.origin || originOf(e.record) === options.origin) &&
        (!options.pending || e.status.state === 'none'),
    );
    if (options.json) {
      for (const e of shown) out.print(JSON.stringify(entryJson(e, replayTargetOf(e.record, this.dlq.notificationsTopic))));
    } else if (shown.length === 0) {
      out.print(`no dead letters${entries.length > 0 ? ' match' : ''} in ${this.dlq.topic}`);
    } else {
      for (const line of formatTable(shown)) out.print(line);
      out.print(`${shown.length} of ${entries.length} dead letter(s) in ${this.dlq.topic}`);
    }
    for (const u of unreadable)
      out.warn(`not a dead-letter record at partition ${u.partition}, offset ${u.offset}: ${u.error?.kind ?? 'unreadable'}`);
    return EXIT_OK;
  }

  async show(id: string, options: { json?: boolean }, out: CliOutput): Promise<number> {
    const { entries } = await this.dlq.load();
    const entry = DlqService.find(entries, id);
    if (!entry) {
      out.warn(`no dead letter ${safeText(id)} in ${this.dlq.topic}`);
      return EXIT_FAILED;
    }
    const replay = replayTargetOf(entry.record, this.dlq.notificationsTopic);
    if (options.json) out.print(JSON.stringify(entryJson(entry, replay), null, 2));
    else for (const line of formatDetails(entry, replay)) out.print(line);
    return EXIT_OK;
  }

  async replay(ids: string[], options: ReplayCommandOptions, out: CliOutput): Promise<number> {
    if (options.all && ids.length > 0) throw new CliUsageError('give dead-letter ids or --all --reason <code>, not both');
    if (options.all && !options.reason)
      throw new CliUsageError("--all needs --reason <code> (a trailing * matches a prefix; '*' alone matches every reason)");
    if (!options.all && ids.length === 0) throw new CliUsageError('which dead letters? give their ids, or --all --reason <code>');

    const { entries } = await this.dlq.load();
    const { selected, missing } = options.all
      ? { selected: entries.filter((e) => reasonMatches(reasonOf(e.record), options.reason!)), missing: [] }
      : select(entries, ids);
    for (const id of missing) out.warn(`no dead letter ${safeText(id)} in ${this.dlq.topic}`);
    if (options.all && selected.length === 0) out.print(`no dead letters with reason ${safeText(options.reason!)} in ${this.dlq.topic}`);

    const results = await this.dlq.replay(selected, options, entries);
    for (const r of results) (r.action === 'failed' || r.action === 'refused' ? out.warn : out.print).call(out, `${r.id}  ${describe(r)}`);
    const count = (action: ReplayResult['action']) => results.filter((r) => r.action === action).length;
    const done = count('published') + count('stripe');
    out.print(
      options.dryRun
        ? `dry run: would replay ${count('would-replay')}, skip ${count('skipped')}, refuse ${count('refused')}`
        : `replayed ${done}, skipped ${count('skipped')}, refused ${count('refused')}, failed ${count('failed')}`,
    );
    return count('failed') > 0 || count('refused') > 0 || missing.length > 0 ? EXIT_FAILED : EXIT_OK;
  }
}

function select(entries: DeadLetterEntry[], ids: string[]): { selected: DeadLetterEntry[]; missing: string[] } {
  const selected: DeadLetterEntry[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const entry = DlqService.find(entries, id);
    if (!entry) missing.push(id);
    else if (!selected.includes(entry)) selected.push(entry);
  }
  return { selected, missing };
}

function describe(r: ReplayResult): string {
  switch (r.action) {
    case 'published':
      return `published to ${r.topic}[${r.partition}]@${r.offset}`;
    case 'stripe':
      return `Stripe event ${r.stripeEventId} through the handlers: ${r.outcome}`;
    case 'would-replay':
      return `would replay to ${safeText(r.target)}`;
    case 'refused':
      return `REFUSED: ${safeText(r.why)}`;
    case 'skipped':
      return `skipped: ${r.why}`;
    case 'failed':
      return `FAILED: ${safeText(r.error)}`;
  }
}
