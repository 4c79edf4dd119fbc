import type { Redis } from 'ioredis';
import { ScriptedRedisStore } from '../redis/redis-lease.js';
import { finishedSignalKey, reportKey } from './broadcast-keys.js';

/**
 * Decides, exactly once per broadcast, who tells the client how it ended: the CONFIRM reply
 * (when the fan-out finished while Twilio's request was still open) or an SMS from the fan-out.
 * One Redis value moves through `waiting` → `reply:<outcome>` (the fan-out finished in time) or
 * `waiting` → `sms` (the CONFIRM gave up waiting first); whichever side moves it first decides.
 */
const WAITING = 'waiting';
const SMS = 'sms';
const REPLY = 'reply:';

const SCRIPTS = {
  // The fan-out at its last step: the reply may still carry the outcome unless the CONFIRM gave up.
  broadcastReportByFanout: {
    numberOfKeys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if v == '${WAITING}' or (v and string.sub(v, 1, ${REPLY.length}) == '${REPLY}') then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
  return 'reply'
end
if not v then redis.call('SET', KEYS[1], '${SMS}', 'PX', ARGV[2]) end
return 'sms'`,
  },
  // The CONFIRM at its deadline: the fan-out's outcome if it came first, else hand over to SMS.
  broadcastReportByReply: {
    numberOfKeys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if v == '${WAITING}' then redis.call('SET', KEYS[1], '${SMS}', 'KEEPTTL') return '${SMS}' end
return v or '${SMS}'`,
  },
} as const;

interface ReportCommands {
  broadcastReportByFanout(key: string, value: string, ttlMs: number): Promise<'reply' | 'sms'>;
  broadcastReportByReply(key: string): Promise<string>;
}

/** How a broadcast ended, as the CONFIRM reply tells it. */
export type BroadcastOutcome = { kind: 'sent'; count: number } | { kind: 'failed'; sent: number };

/** What the CONFIRM answers: the outcome, or that the client will get an SMS. */
export type ReplyDecision = BroadcastOutcome | { kind: 'pending' };

const encodeOutcome = (o: BroadcastOutcome): string => (o.kind === 'sent' ? `${REPLY}sent:${o.count}` : `${REPLY}failed:${o.sent}`);

function decodeDecision(value: string): ReplyDecision {
  const match = /^reply:(sent|failed):(\d+)$/.exec(value);
  if (!match) return { kind: 'pending' };
  const count = Number(match[2]);
  return match[1] === 'sent' ? { kind: 'sent', count } : { kind: 'failed', sent: count };
}

export class BroadcastReport extends ScriptedRedisStore<ReportCommands> {
  constructor(
    redis: Redis,
    private readonly ttlMs: number,
  ) {
    super(redis, SCRIPTS);
  }

  /** CONFIRM, before recording the broadcast: the reply is waiting for the outcome. */
  async open(broadcastId: string): Promise<void> {
    await this.redis.set(reportKey(broadcastId), WAITING, 'PX', this.ttlMs, 'NX');
  }

  /**
   * CONFIRM answered an error although its record may have reached Kafka: should the broadcast run
   * after all, the client hears of it by SMS (a later CONFIRM of the same draft finds it so).
   */
  async handOverToSms(broadcastId: string): Promise<void> {
    await this.redis.set(reportKey(broadcastId), SMS, 'PX', this.ttlMs);
  }

  /**
   * The fan-out, before committing its last transaction: 'reply' when the CONFIRM reply will
   * carry `outcome` (no SMS to send), 'sms' when the client must get an SMS.
   */
  decideByFanout(broadcastId: string, outcome: BroadcastOutcome): Promise<'reply' | 'sms'> {
    return this.redis.broadcastReportByFanout(reportKey(broadcastId), encodeOutcome(outcome), this.ttlMs);
  }

  /** The fan-out, after its last transaction committed: wakes the waiting CONFIRM. */
  async signalFinished(broadcastId: string): Promise<void> {
    const key = finishedSignalKey(broadcastId);
    await this.redis.multi().rpush(key, '1').pexpire(key, this.ttlMs).exec();
  }

  /**
   * The CONFIRM: waits up to `waitMs` for the fan-out to finish (a blocking pop on its own
   * connection), then settles who reports.
   */
  async awaitReply(broadcastId: string, waitMs: number): Promise<ReplyDecision> {
    const deadline = Date.now() + waitMs;
    if (waitMs > 0) {
      const waiter = this.redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: 0, commandTimeout: waitMs + 1000 });
      try {
        await waiter.connect();
        const left = deadline - Date.now();
        if (left > 0) await waiter.blpop(finishedSignalKey(broadcastId), left / 1000);
      } catch {
        // Waiting is an optimisation: without it the decision below still holds.
      } finally {
        waiter.disconnect();
      }
    }
    return decodeDecision(await this.redis.broadcastReportByReply(reportKey(broadcastId)));
  }
}
