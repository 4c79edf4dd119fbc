import { Registry, collectDefaultMetrics } from 'prom-client';

/** Injection token of the app's own prom-client Registry (one per app instance, never the global one). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Every metric of this project starts with it, the default process metrics included. */
export const METRIC_PREFIX = 'nudges_';

/**
 * A Registry with the default process and Node.js metrics (CPU, memory, event-loop lag, GC,
 * handles) under `nudges_`. Each app instance owns one, so two apps in one process (the tests)
 * never share or re-register series.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/**
 * The children of a labelled metric, bound once per label combination: prom-client's `labels()`
 * hashes its arguments on every call, too much for the notifier's hot path.
 */
export class BoundChildren<T> {
  private readonly children = new Map<string, T>();

  constructor(private readonly bind: (...labelValues: string[]) => T) {}

  get(...labelValues: string[]): T {
    // One metric always has the same number of labels; JSON keeps ('a,b', 'c') apart from ('a', 'b,c').
    const key = labelValues.length === 1 ? labelValues[0]! : JSON.stringify(labelValues);
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.bind(...labelValues);
      this.children.set(key, child);
    }
    return child;
  }
}
