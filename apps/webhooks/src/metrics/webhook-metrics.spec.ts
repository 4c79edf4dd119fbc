import type { Request, Response } from 'express';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { WebhookMetrics, outcomeOfStatus } from './webhook-metrics.js';
import { labelWebhookRequest, observationOf } from './webhook-observation.js';

/** Value of one series of `name` with exactly these labels (0 when absent). */
async function valueOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  const same = (l: Record<string, unknown>) =>
    Object.keys(labels).length === Object.keys(l).length && Object.entries(labels).every(([k, v]) => l[k] === v);
  return metric.values.find((v) => same(v.labels))?.value ?? 0;
}

/** A response that ends (finish, then close) or is abandoned by the client (close only). */
function fakeResponse(statusCode: number) {
  const res = Object.assign(new EventEmitter(), { statusCode, writableFinished: false });
  return {
    res: res as unknown as Response,
    end: () => {
      res.writableFinished = true;
      res.emit('finish');
      res.emit('close');
    },
    abort: () => res.emit('close'),
  };
}

describe('outcomeOfStatus', () => {
  it.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [409, 'in_progress'],
    [413, 'too_large'],
    [415, 'unsupported_media_type'],
    [404, 'rejected'],
    [500, 'failed'],
    [503, 'failed'],
    [200, 'ok'],
  ])('%d → %s', (status, outcome) => {
    expect(outcomeOfStatus(status, true)).toBe(outcome);
  });

  it('an answer that never finished is "aborted", whatever its status', () => {
    expect(outcomeOfStatus(200, false)).toBe('aborted');
  });
});

describe('WebhookMetrics', () => {
  let registry: Registry;
  let metrics: WebhookMetrics;

  beforeEach(() => {
    registry = new Registry();
    metrics = new WebhookMetrics(registry);
  });

  it('counts and times a request once its answer ends, with the type and outcome the handler noted', async () => {
    const req = {} as Request;
    const { res, end } = fakeResponse(200);
    let nextCalls = 0;
    metrics.middleware('stripe')(req, res, () => (nextCalls += 1));
    expect(nextCalls).toBe(1);
    Object.assign(observationOf(req), { type: 'product.created', outcome: 'processed' });
    expect(
      await valueOf(registry, 'nudges_webhook_requests_total', { endpoint: 'stripe', type: 'product.created', outcome: 'processed' }),
    ).toBe(0);
    end();
    const labels = { endpoint: 'stripe', type: 'product.created', outcome: 'processed' };
    expect(await valueOf(registry, 'nudges_webhook_requests_total', labels)).toBe(1);
    const histogram = await registry.getSingleMetric('nudges_webhook_processing_seconds')!.get();
    const count = (histogram.values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).find(
      (v) => v.metricName === 'nudges_webhook_processing_seconds_count' && v.labels.type === 'product.created',
    );
    expect(count?.value).toBe(1);
  });

  it('takes the labels the handling code set with labelWebhookRequest while the request ran', async () => {
    const { res, end } = fakeResponse(200);
    metrics.middleware('twilio')({} as Request, res, () => setImmediate(() => labelWebhookRequest({ type: 'help', outcome: 'replied' })));
    await new Promise((resolve) => setImmediate(resolve));
    labelWebhookRequest({ type: 'draft' }); // outside the request: no effect
    end();
    expect(await valueOf(registry, 'nudges_webhook_requests_total', { endpoint: 'twilio', type: 'help', outcome: 'replied' })).toBe(1);
  });

  it('labels a rejected request by its status, with type "none", even if a handler noted an outcome', async () => {
    const req = {} as Request;
    const { res, end } = fakeResponse(401);
    metrics.middleware('twilio')(req, res, () => undefined);
    observationOf(req).outcome = 'replied';
    end();
    expect(await valueOf(registry, 'nudges_webhook_requests_total', { endpoint: 'twilio', type: 'none', outcome: 'unauthorized' })).toBe(1);
    expect(await valueOf(registry, 'nudges_webhook_requests_total', { endpoint: 'twilio', type: 'none', outcome: 'replied' })).toBe(0);
  });

  it('counts a request whose client went away as aborted, once', async () => {
    const req = {} as Request;
    const { res, abort } = fakeResponse(200);
    metrics.middleware('stripe')(req, res, () => undefined);
    abort();
    abort();
    expect(await valueOf(registry, 'nudges_webhook_requests_total', { endpoint: 'stripe', type: 'none', outcome: 'aborted' })).toBe(1);
  });
});
