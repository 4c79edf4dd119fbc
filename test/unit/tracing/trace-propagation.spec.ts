// W3C trace context in Kafka headers, as the Nudges C# services write and read it: a consumed
// message continues the trace its `traceparent` names, and produced messages carry the
// producer span's context as string headers without touching headers already there.
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { OutgoingMessage } from '@app/shared/kafka/kafka-producer.service.js';
import { inSpan } from '@app/shared/tracing/spans.js';
import { tracedConsume, tracedProduce, withTraceHeaders } from '@app/shared/tracing/kafka-tracing.js';
import { installMemoryTracing, parentIdOf, type MemoryTracing } from '../../support/tracing/memory-tracing.js';

// What a .NET producer (System.Diagnostics.Activity, W3C format) puts in the headers: UTF-8 bytes.
const CSHARP_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CSHARP_SPAN_ID = '00f067aa0ba902b7';
const csharpHeaders = () => ({
  traceparent: Buffer.from(`00-${CSHARP_TRACE_ID}-${CSHARP_SPAN_ID}-01`),
  tracestate: Buffer.from('nudges=csharp'),
  'message-id': Buffer.from('m-1'),
});

describe('trace context in Kafka headers', () => {
  let tracing: MemoryTracing;
  beforeAll(() => (tracing = installMemoryTracing()));
  afterAll(() => tracing.shutdown());

  const spanNamed = (name: string) => {
    const found = tracing.spans().filter((s) => s.name === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('continues the trace of a message with a C#-style traceparent header', async () => {
    const message = { topic: 'notifications-csharp', partition: 2, offset: '41', headers: csharpHeaders() };
    await tracedConsume(message, 'notifier', () => inSpan('work inside', { kind: SpanKind.CLIENT }, async () => undefined));

    const consume = spanNamed('process notifications-csharp');
    expect(consume.kind).toBe(SpanKind.CONSUMER);
    expect(consume.spanContext().traceId).toBe(CSHARP_TRACE_ID);
    expect(parentIdOf(consume)).toBe(CSHARP_SPAN_ID);
    expect(consume.parentSpanContext?.isRemote).toBe(true);
    expect(consume.spanContext().traceState?.get('nudges')).toBe('csharp');
    expect(consume.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'notifications-csharp',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
      'messaging.consumer.group.name': 'notifier',
    });
    const inside = spanNamed('work inside');
    expect(inside.spanContext().traceId).toBe(CSHARP_TRACE_ID);
    expect(parentIdOf(inside)).toBe(consume.spanContext().spanId);
  });

  it('starts a new trace for a message without trace headers', async () => {
    await tracedConsume({ topic: 'notifications-plain', partition: 0, offset: '0', headers: {} }, 'notifier', async () => undefined);
    const consume = spanNamed('process notifications-plain');
    expect(parentIdOf(consume)).toBeUndefined();
    expect(consume.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('puts the producer span context on every produced message as string headers', async () => {
    let sent: OutgoingMessage[] = [];
    const original = [
      { key: 'a', value: '1' },
      { key: 'b', value: '2', headers: { 'message-id': 'm-2' } },
    ];
    await inSpan('request', { kind: SpanKind.SERVER }, () =>
      tracedProduce('notifications-out', original, async (messages) => {
        sent = messages;
      }),
    );
    const produce = spanNamed('send notifications-out');
    expect(produce.kind).toBe(SpanKind.PRODUCER);
    expect(parentIdOf(produce)).toBe(spanNamed('request').spanContext().spanId);
    expect(produce.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'notifications-out',
      'messaging.batch.message_count': 2,
    });
    const traceparent = `00-${produce.spanContext().traceId}-${produce.spanContext().spanId}-01`;
    expect(sent.map((m) => m.headers)).toEqual([{ traceparent }, { 'message-id': 'm-2', traceparent }]);
    expect(original[0]).toEqual({ key: 'a', value: '1' }); // the caller's objects are not modified
  });

  it('leaves a message that already names its trace (a dead-letter record) as it is', async () => {
    const own = {
      key: null,
      value: 'x',
      headers: { traceparent: `00-${CSHARP_TRACE_ID}-${CSHARP_SPAN_ID}-01`, 'x-reason-code': 'poison' },
    };
    const result = await inSpan('dead-letter', { kind: SpanKind.INTERNAL }, async () => withTraceHeaders([own]));
    expect(result[0]).toBe(own);
  });

  it('adds nothing outside a span (tracing off), and hands the same array back', () => {
    expect(trace.getSpan(context.active())).toBeUndefined();
    const messages = [{ key: 'k', value: 'v' }];
    expect(withTraceHeaders(messages)).toBe(messages);
  });
});
