import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A Kafka record as the notifier's handlers receive it: raw bytes, nothing decoded yet. */
export interface InboundMessage {
  topic: string;
  partition: number;
  /** 64-bit offset as a decimal string. */
  offset: string;
  /** Producer CreateTime (or broker LogAppendTime), epoch ms as a string. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  /** The `traceparent` header when present, else `topic/partition/offset`; on every log line about it. */
  correlationId: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function toInboundMessage(topic: string, partition: number, message: KafkaMessage): InboundMessage {
  const headers = message.headers ?? {};
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
    headers,
    correlationId: traceparentOf(headers) ?? `${topic}/${partition}/${message.offset}`,
  };
}

/** The W3C trace context of the record, if it carries a well-formed one. */
export function traceparentOf(headers: IHeaders): string | undefined {
  const raw = headers.traceparent;
  const one = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (one === undefined) return undefined;
  const text = (typeof one === 'string' ? one : one.toString('utf8')).trim().toLowerCase();
  return TRACEPARENT.test(text) ? text : undefined;
}
