import { Counter } from 'prom-client';
import { BoundChildren, createMetricsRegistry } from './metrics.registry.js';

describe('createMetricsRegistry', () => {
  it('gives each app its own registry with the default process metrics under nudges_', async () => {
    const a = createMetricsRegistry();
    const b = createMetricsRegistry();
    expect(a).not.toBe(b);
    const text = await a.metrics();
    expect(text).toMatch(/^nudges_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nudges_nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toMatch(/^process_cpu_user_seconds_total/m);
    // The same metric name on two registries: no "already registered" error, separate values.
    new Counter({ name: 'nudges_test_total', help: 'test', registers: [a] }).inc(2);
    new Counter({ name: 'nudges_test_total', help: 'test', registers: [b] }).inc(5);
    expect((await a.getSingleMetric('nudges_test_total')!.get()).values[0]!.value).toBe(2);
    expect((await b.getSingleMetric('nudges_test_total')!.get()).values[0]!.value).toBe(5);
  });
});

describe('BoundChildren', () => {
  it('binds each label combination once and hands out the same child afterwards', () => {
    const bound: string[][] = [];
    const children = new BoundChildren((...values) => {
      bound.push(values);
      return { values };
    });
    const first = children.get('stripe', 'product.created');
    expect(children.get('stripe', 'product.created')).toBe(first);
    expect(children.get('stripe', 'product.updated')).not.toBe(first);
    expect(children.get('a,b', 'c')).not.toBe(children.get('a', 'b,c'));
    expect(bound).toEqual([
      ['stripe', 'product.created'],
      ['stripe', 'product.updated'],
      ['a,b', 'c'],
      ['a', 'b,c'],
    ]);
  });
});
