// The two Redis stores the broadcast relies on, against the stack's Redis: OptOutRegistry (who
// opted out at Twilio) and BroadcastDeliveryStore (what became of a broadcast's messages).
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  BroadcastDeliveryStore,
  broadcastDeliveryCountedKey,
  broadcastDeliveryKey,
} from '@app/shared/broadcast/broadcast-delivery.store.js';
import { OPT_OUT_KEY, OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { stackEnv, uniqueName } from '../../support/stack.js';

describe('OptOutRegistry and BroadcastDeliveryStore (Redis)', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    prefix = `${uniqueName('stores')}:`;
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
  });

  afterAll(() => redis?.disconnect());

  describe('OptOutRegistry', () => {
    it('records opt-outs, answers a page in order in one round trip, and forgets a number that opted back in', async () => {
      const registry = new OptOutRegistry(redis);
      await registry.optOut('+15550200001');
      await registry.optOut('+15550200003', 'twilio-21610');
      await registry.optOut('+15550200003'); // repeated: still one entry
      const page = Array.from({ length: 50 }, (_, i) => `+155502${String(i).padStart(5, '0')}`);
      const monitor = jest.spyOn(redis, 'hmget');
      const answer = await registry.areOptedOut(page);
      expect(monitor).toHaveBeenCalledTimes(1);
      monitor.mockRestore();
      expect(answer.flatMap((optedOut, i) => (optedOut ? [page[i]] : []))).toEqual(['+15550200001', '+15550200003']);
      expect(await redis.hlen(OPT_OUT_KEY)).toBe(2);
      expect(await redis.hget(OPT_OUT_KEY, '+15550200003')).toMatch(/^\d{13}\|keyword$/);

      await registry.optIn('+15550200001');
      await registry.optIn('+15550200099'); // never opted out: nothing to do
      expect(await registry.areOptedOut(['+15550200001', '+15550200003', 'not a number'])).toEqual([false, true, false]);
      expect(await registry.areOptedOut([])).toEqual([]);
    });

    it('refuses what is not a plain E.164 number, and pages over 50', async () => {
      const registry = new OptOutRegistry(redis);
      await expect(registry.optOut('5550200001')).rejects.toThrow(TypeError);
      await expect(registry.optIn('AbCdEf==')).rejects.toThrow(TypeError);
      await expect(registry.areOptedOut(Array.from({ length: 51 }, () => '+15550200001'))).rejects.toThrow(RangeError);
    });
  });

  describe('BroadcastDeliveryStore', () => {
    it('counts each message once, whatever number of receipts report it, with TTLs on both keys', async () => {
      const store = new BroadcastDeliveryStore(redis);
      const id = uniqueName('b');
      expect(await store.read(id)).toEqual({ delivered: 0, undelivered: 0, failed: 0, optedOut: 0 });
      expect(await store.record(id, { messageId: 'SM1', outcome: 'delivered' })).toBe(true);
      expect(await store.record(id, { messageId: 'SM1', outcome: 'delivered' })).toBe(false);
      expect(await store.record(id, { messageId: 'SM1', outcome: 'undelivered' })).toBe(false);
      await store.record(id, { messageId: 'SM2', outcome: 'undelivered' });
      await store.record(id, { messageId: 'SM3', outcome: 'failed' });
      await store.record(id, { messageId: 'event-1', outcome: 'optedOut' });
      await Promise.all(Array.from({ length: 20 }, () => store.record(id, { messageId: 'SM4', outcome: 'delivered' })));
      expect(await store.read(id)).toEqual({ delivered: 2, undelivered: 1, failed: 1, optedOut: 1 });
      expect(await redis.pttl(broadcastDeliveryKey(id))).toBeGreaterThan(29 * 86_400_000);
      expect(await redis.pttl(broadcastDeliveryCountedKey(id))).toBeGreaterThan(6 * 86_400_000);
      expect(await store.read(uniqueName('other'))).toEqual({ delivered: 0, undelivered: 0, failed: 0, optedOut: 0 });
    });

    it('refuses malformed broadcast ids and outcomes', async () => {
      const store = new BroadcastDeliveryStore(redis);
      await expect(store.read('a b')).rejects.toThrow(RangeError);
      await expect(store.record('x'.repeat(129), { messageId: 'SM1', outcome: 'delivered' })).rejects.toThrow(RangeError);
      await expect(store.record('b1', { messageId: 'SM1', outcome: 'sent' as never })).rejects.toThrow(RangeError);
      await expect(store.record('b1', { messageId: '', outcome: 'failed' })).rejects.toThrow(TypeError);
    });
  });
});
