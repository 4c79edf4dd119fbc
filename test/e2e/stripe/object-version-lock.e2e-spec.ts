// ObjectVersionLock's Lua script against the real Redis of the local stack: the order record and
// the tombstone of a deleted object.
import { Redis } from 'ioredis';
import { ObjectVersionLock, TOMBSTONE_TTL_SECONDS } from '@app/stripe-sync/object-version-lock.js';
import type { StripeConfig } from '@app/stripe-sync';
import { stackEnv, uniqueName } from '../../support/stack.js';

describe('ObjectVersionLock (real Redis)', () => {
  const prefix = `${uniqueName('object-lock')}:`;
  let redis: Redis;
  let objects: ObjectVersionLock;
  const work = () => Promise.resolve('done');

  beforeAll(() => {
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
    objects = new ObjectVersionLock(redis, { dedupeTtlSeconds: 345_600 } as StripeConfig);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    redis.disconnect();
  });

  it('skips an update older than one applied, applies creations of any age', async () => {
    expect(await objects.run('price_a', 200, 'skip-older', work)).toEqual({ applied: true, value: 'done' });
    expect(await objects.run('price_a', 100, 'skip-older', work)).toEqual({ applied: false, reason: 'stale' });
    expect(await objects.run('price_a', 50, 'apply', work)).toEqual({ applied: true, value: 'done' });
    expect(await objects.newestApplied('price_a')).toBe(200);
  });

  it('after a deletion, refuses creations and updates of any age as deleted; deletions still run', async () => {
    expect(await objects.run('prod_b', 300, 'delete', work)).toEqual({ applied: true, value: 'done' });
    expect(await objects.isDeleted('prod_b')).toBe(true);
    expect(await objects.run('prod_b', 100, 'apply', work)).toEqual({ applied: false, reason: 'deleted' });
    expect(await objects.run('prod_b', 900, 'skip-older', work)).toEqual({ applied: false, reason: 'deleted' });
    expect(await objects.run('prod_b', 301, 'delete', work)).toEqual({ applied: true, value: 'done' });
    // a refused event leaves the lock free
    expect(await redis.exists('stripe:object:{prod_b}:lock')).toBe(0);
  });

  it('leaves the tombstone for TOMBSTONE_TTL_SECONDS (31 days), past the dedupe record', async () => {
    await objects.run('price_c', 10, 'delete', work);
    const ttl = await redis.ttl('stripe:object:{price_c}:deleted');
    expect(TOMBSTONE_TTL_SECONDS).toBe(31 * 86_400);
    expect(ttl).toBeGreaterThan(TOMBSTONE_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(TOMBSTONE_TTL_SECONDS);
    expect(await redis.ttl('stripe:object:{price_c}:created')).toBeLessThanOrEqual(345_600);
  });

  it('a work failure after a deletion was recorded keeps the tombstone (the retry deletes again)', async () => {
    await expect(objects.run('price_d', 10, 'delete', () => Promise.reject(new Error('gateway down')))).rejects.toThrow('gateway down');
    expect(await objects.isDeleted('price_d')).toBe(true);
    expect(await objects.run('price_d', 10, 'delete', work)).toEqual({ applied: true, value: 'done' });
  });
});
