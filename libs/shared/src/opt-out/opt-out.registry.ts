import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { isE164 } from '../crypto/phone-cipher.js';
import { REDIS } from '../redis/redis.module.js';

/** One Redis hash (after REDIS_KEY_PREFIX): E.164 number → `<epoch ms>|<how it was learnt>`. */
export const OPT_OUT_KEY = 'optout:numbers';

/** How an opt-out was learnt: an opt-out keyword texted to us, or Twilio refusing a send with 21610. */
export type OptOutSource = 'keyword' | 'twilio-21610';

/** The most numbers one `areOptedOut` call takes: a gateway page. */
export const OPT_OUT_PAGE_LIMIT = 50;

/**
 * The numbers that opted out of Nudges' SMS at Twilio (STOP and the other opt-out keywords; Twilio
 * then refuses every send to them with 21610), so a broadcast skips them instead of sending, and
 * does not count them. An opt-in keyword (START, UNSTOP, YES) clears the entry. Kept in our own
 * Redis rather than in the gateway: see docs/twilio.md ("Opt-outs").
 */
@Injectable()
export class OptOutRegistry {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Records `phone` (plain E.164) as opted out; repeating it only refreshes the record. */
  async optOut(phone: string, source: OptOutSource = 'keyword'): Promise<void> {
    await this.redis.hset(OPT_OUT_KEY, assertE164(phone), `${Date.now()}|${source}`);
  }

  /** Clears `phone`'s opt-out; nothing happens when it had none. */
  async optIn(phone: string): Promise<void> {
    await this.redis.hdel(OPT_OUT_KEY, assertE164(phone));
  }

  /**
   * For each number of a page (at most OPT_OUT_PAGE_LIMIT plain E.164 numbers), whether it opted
   * out, in the same order; one round trip. A value that is not E.164 was never recorded: false.
   */
  async areOptedOut(phones: string[]): Promise<boolean[]> {
    if (phones.length === 0) return [];
    if (phones.length > OPT_OUT_PAGE_LIMIT) throw new RangeError(`at most ${OPT_OUT_PAGE_LIMIT} numbers per call, got ${phones.length}`);
    const found = await this.redis.hmget(OPT_OUT_KEY, ...phones);
    return found.map((value) => value !== null);
  }
}

function assertE164(phone: string): string {
  if (typeof phone !== 'string' || !isE164(phone)) throw new TypeError('an opt-out needs a plain E.164 phone number');
  return phone;
}
