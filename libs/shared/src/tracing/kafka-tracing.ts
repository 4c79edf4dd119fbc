import type { Span } from '@opentelemetry/api';
import type { OutgoingMessage } from '../kafka/kafka-producer.service.js';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from './attributes.js';
import { SpanKind, contextFromHeaders, inSpan, traceHeaders } from './spans.js';

/**
 * Runs a Kafka produce of `count` messages to `topic` in a producer span; `send` gets the
 * messages to hand to kafkajs, each carrying the span's `traceparent`/`tracestate` headers.
 */
export function tracedProduce(
  topic: string,
  messages: OutgoingMessage[],
  send: (messages: OutgoingMessage[]) => Promise<void>,
): Promise<void> {
  const attributes = {
    [ATTR_MESSAGING_SYSTEM]: 'kafka',
    [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
    [ATTR_MESSAGING_OPERATION_NAME]: 'send',
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages.length,
  };
  return inSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes }, () => send(withTraceHeaders(messages)));
}

/**
 * Adds the active span's trace headers to every message. A message that already carries a
 * `traceparent` keeps its own (e.g. a dead-letter record names the trace of the original
 * message). Messages are copied only when tracing is on; the callers' objects stay untouched.
 */
export function withTraceHeaders(messages: OutgoingMessage[]): OutgoingMessage[] {
  const trace = traceHeaders();
  if (trace.traceparent === undefined) return messages;
  // Literal objects, not `{ ...m }`: object spread costs ~40x more per message in a 100k broadcast.
  return messages.map((m) => {
    if (m.headers === undefined) return { key: m.key, value: m.value, headers: trace };
    if (m.headers.traceparent !== undefined) return m;
    return { key: m.key, value: m.value, headers: { ...m.headers, ...trace } };
  });
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  headers: Parameters<typeof contextFromHeaders>[0];
}

/**
 * Processes one consumed message in a consumer span that continues the trace its headers carry
 * (a message without trace headers starts a new trace).
 */
export function tracedConsume<T>(message: ConsumedMessage, groupId: string, process: (span: Span) => Promise<T>): Promise<T> {
  const attributes = {
    [ATTR_MESSAGING_SYSTEM]: 'kafka',
    [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_DESTINATION_NAME]: message.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(message.partition),
    [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId,
  };
  return inSpan(`process ${message.topic}`, { kind: SpanKind.CONSUMER, attributes, parent: contextFromHeaders(message.headers) }, process);
}
