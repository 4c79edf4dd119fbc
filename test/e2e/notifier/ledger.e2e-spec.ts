// The delivery ledger's Lua scripts against the real Redis of the local stack.
import { Redis } from 'ioredis';
import { DeliveryLedger } from '../../../apps/notifier/src/ledger/delivery-ledger.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { until } from '../../support/notifier/events.js';

describe('DeliveryLedger (real Redis)', () => {
  const prefix = `${uniqueName('ledger')}:`;
  let redis: Redis;
  const ledger = (leaseMs = 60_000, indexProviderIds = true) => new DeliveryLedger(redis, { leaseMs, ttlMs: 60_000, indexProviderIds });

  beforeAll(() => {
    redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: prefix });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    redis.disconnect();
  });

  it('claims once: a second owner is told to wait, then sees the delivery', async () => {
    const l = ledger();
    const first = await l.claim('e1', 'ownerA');
    expect(first.state).toBe('claimed');
    const second = await l.claim('e1', 'ownerB');
    expect(second).toMatchObject({ state: 'busy' });
    expect((second as { retryInMs: number }).retryInMs).toBeGreaterThan(50_000);
    await l.markSent('e1', 'SM1');
    expect(await l.claim('e1', 'ownerB')).toEqual({ state: 'sent', providerId: 'SM1' });
    expect(await redis.pttl('notifier:sms:e1')).toBeGreaterThan(50_000);
  });

  it('hands an expired claim over as recovered, keeping the time of the first attempt', async () => {
    const l = ledger(150);
    const first = await l.claim('e2', 'ownerA');
    expect(first.state).toBe('claimed');
    expect((await l.claim('e2', 'ownerB')).state).toBe('busy');
    let recovered: Awaited<ReturnType<DeliveryLedger['claim']>> | undefined;
    await until(async () => (recovered = await l.claim('e2', 'ownerB')).state !== 'busy', 5_000, 'the 150 ms lease to run out');
    expect(recovered).toEqual({ state: 'recovered', since: (first as { since: number }).since });
    // The old owner lost it: renew fails, release is a no-op.
    expect(await l.renew('e2', 'ownerA')).toBe(false);
    await l.release('e2', 'ownerA');
    expect((await l.claim('e2', 'ownerC')).state).toBe('busy');
    expect(await l.renew('e2', 'ownerB')).toBe(true);
  });

  it('releases a claim only for its owner, so a dead-lettered event can be replayed', async () => {
    const l = ledger();
    await l.claim('e3', 'ownerA');
    await l.release('e3', 'ownerB');
    expect((await l.claim('e3', 'ownerB')).state).toBe('busy');
    await l.release('e3', 'ownerA');
    expect((await l.claim('e3', 'ownerB')).state).toBe('claimed');
  });

  it('answers each of many claims made at once (one batch), including two for the same event', async () => {
    const l = ledger();
    const results = await Promise.all([l.claim('b1', 'o1'), l.claim('b2', 'o2'), l.claim('b1', 'o3'), l.claim('b3', 'o4')]);
    expect(results.map((r) => r.state)).toEqual(['claimed', 'claimed', 'busy', 'claimed']);
    await Promise.all([l.markSent('b1', 'SMb1'), l.markSent('b2', 'SMb2')]);
    expect(await Promise.all([l.claim('b1', 'o5'), l.claim('b2', 'o5'), l.claim('b3', 'o5')])).toEqual([
      { state: 'sent', providerId: 'SMb1' },
      { state: 'sent', providerId: 'SMb2' },
      expect.objectContaining({ state: 'busy' }),
    ]);
  });

  it('indexes provider ids so a reconciliation can tell whose message it found', async () => {
    const l = ledger();
    await l.claim('e4', 'ownerA');
    await l.markSent('e4', 'SM4');
    expect(await l.takenProviderIds('e5', ['SM4', 'SM5'])).toEqual(new Set(['SM4']));
    expect(await l.takenProviderIds('e4', ['SM4'])).toEqual(new Set());
    const plain = ledger(60_000, false);
    await plain.claim('e6', 'ownerA');
    await plain.markSent('e6', 'local-6');
    expect(await redis.exists('notifier:sent-id:local-6')).toBe(0);
  });
});
