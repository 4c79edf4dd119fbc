// The lease scripts against the real Redis of the local stack.
import { Redis } from 'ioredis';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { RedisLease, type Lease, type LeaseClaim } from '@app/shared/redis/redis-lease.js';

const leaseOf = (claim: LeaseClaim): Lease => {
  if (claim.state !== 'claimed') throw new Error(`expected a claim, got ${claim.state}`);
  return claim.lease;
};

describe('RedisLease (real Redis)', () => {
  const prefix = `${uniqueName('lease')}:`;
  let redis: Redis;
  let leases: RedisLease;

  beforeAll(() => {
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
    leases = new RedisLease(redis, { held: 'processing:', done: 'done:' });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    redis.disconnect();
  });

  it('claims once: a second claim sees it held, then done with its value', async () => {
    const lease = leaseOf(await leases.claim('k1', 60_000));
    expect(await redis.get('k1')).toMatch(/^processing:[0-9a-f-]{36}$/);
    expect(await leases.claim('k1', 60_000)).toEqual({ state: 'held' });
    await lease.complete(60_000, 'reply');
    expect(await redis.get('k1')).toBe('done:reply');
    expect(await leases.claim('k1', 60_000)).toEqual({ state: 'done', value: 'reply' });
    expect(await redis.pttl('k1')).toBeGreaterThan(50_000);
  });

  it('releases and renews only for its owner', async () => {
    const first = leaseOf(await leases.claim('k2', 100));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await first.renew(60_000)).toBe(false);
    const second = leaseOf(await leases.claim('k2', 60_000));
    expect(await first.release()).toBe(false);
    expect(await leases.claim('k2', 60_000)).toEqual({ state: 'held' });
    expect(await second.renew(90_000)).toBe(true);
    expect(await redis.pttl('k2')).toBeGreaterThan(60_000);
    expect(await second.release()).toBe(true);
    expect(await redis.exists('k2')).toBe(0);
  });

  it('keeps a detail after the owner and still knows the owner by it', async () => {
    const lease = leaseOf(await leases.claim('k3', 60_000, { detail: 'started' }));
    expect(await redis.get('k3')).toMatch(/^processing:[0-9a-f-]{36}\|started$/);
    expect(await lease.release()).toBe(true);
  });

  it('release by owner id matches `<held><owner>|…`, not a longer owner', async () => {
    await redis.set('k4', 'processing:ab|123');
    expect(await leases.release('k4', 'a')).toBe(false);
    expect(await leases.release('k4', 'ab')).toBe(true);
  });

  it('force takes a held or done key', async () => {
    await redis.set('k5', 'done:x');
    expect((await leases.claim('k5', 60_000, { force: true })).state).toBe('claimed');
  });

  it('forget drops a done marker, never a held lease', async () => {
    leaseOf(await leases.claim('k6', 60_000));
    expect(await leases.forget('k6')).toBe(false);
    await redis.set('k7', 'done:');
    expect(await leases.forget('k7')).toBe(true);
    expect(await leases.read(['k6', 'k7', 'k8'])).toEqual([{ state: 'held' }, { state: 'free' }, { state: 'free' }]);
  });
});
