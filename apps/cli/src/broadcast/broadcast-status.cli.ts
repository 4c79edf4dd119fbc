import type { Redis } from 'ioredis';
import { BroadcastDeliveryStore, type BroadcastDeliveryCounts } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { BroadcastStatusStore, type BroadcastStatus } from '@app/shared/broadcast/broadcast-status.store.js';
import { EXIT_FAILED, EXIT_OK, type CliOutput } from '../cli-output.js';

export interface BroadcastListOptions {
  limit?: number;
  json?: boolean;
}

/** The status view is only read here; its TTL is the broadcaster's business. */
const READ_ONLY_TTL_MS = 1;

/**
 * `broadcast list` and `broadcast show <id>`: the broadcasts the broadcaster recorded (state,
 * counts, started and finished times, why a failed one failed and whether it can be resumed) and
 * the delivery receipts Twilio reported for each.
 */
export class BroadcastStatusCli {
  private readonly statuses: BroadcastStatusStore;
  private readonly deliveries: BroadcastDeliveryStore;

  constructor(redis: Redis) {
    this.statuses = new BroadcastStatusStore(redis, READ_ONLY_TTL_MS);
    this.deliveries = new BroadcastDeliveryStore(redis);
  }

  async list(options: BroadcastListOptions, out: CliOutput): Promise<number> {
    const statuses = await this.statuses.list(options.limit ?? 20);
    if (options.json) {
      for (const s of statuses) out.print(JSON.stringify(s));
      return EXIT_OK;
    }
    if (statuses.length === 0) out.print('no broadcasts');
    for (const s of statuses) out.print(summaryLine(s));
    return EXIT_OK;
  }

  async show(id: string, options: { json?: boolean }, out: CliOutput): Promise<number> {
    const status = await this.statuses.read(id);
    if (!status) {
      out.warn(`no broadcast ${id} (unknown, or older than BROADCAST_STATUS_TTL)`);
      return EXIT_FAILED;
    }
    const delivery = await this.deliveries.read(id);
    if (options.json) out.print(JSON.stringify({ ...status, delivery }));
    else for (const line of detailLines(status, delivery)) out.print(line);
    return EXIT_OK;
  }
}

const summaryLine = (s: BroadcastStatus): string =>
  `${s.broadcastId}  ${s.state.padEnd(9)}  sent ${s.sent}  requested ${s.requestedAt}${s.finishedAt ? `  finished ${s.finishedAt}` : ''}`;

function detailLines(s: BroadcastStatus, d: BroadcastDeliveryCounts): string[] {
  return [
    `broadcast   ${s.broadcastId}`,
    `client      ${s.clientId}`,
    `state       ${s.state}`,
    `requested   ${s.requestedAt}`,
    `started     ${s.startedAt ?? '-'}`,
    `finished    ${s.finishedAt ?? '-'}`,
    `sent        ${s.sent} SendSms (${s.pages} pages; ${s.skipped} without a phone number, ${s.optedOut} opted out)`,
    `delivery    ${d.delivered} delivered, ${d.undelivered} undelivered, ${d.failed} failed, ${d.optedOut} opted out (Twilio status callbacks so far)`,
    ...(s.state === 'failed'
      ? [`reason      ${s.reason ?? '-'}`, `resumable   ${s.resumable ? `yes, from cursor ${s.cursor}` : 'no'}`]
      : []),
  ];
}
