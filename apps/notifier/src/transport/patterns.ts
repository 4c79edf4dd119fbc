import type { KafkaTopics } from '@app/shared/config/common.env.js';

/**
 * `@EventPattern`s name topics by their role in the wire contract; the transport maps each role
 * to the topic name configured for it (KAFKA_TOPIC_*), since decorators cannot read config.
 */
export const NOTIFICATIONS_PATTERN = 'notifications' satisfies keyof KafkaTopics;

export function topicForPattern(topics: KafkaTopics, pattern: string): string {
  if (!Object.hasOwn(topics, pattern))
    throw new Error(`@EventPattern('${pattern}') names no configured topic (one of ${Object.keys(topics).join(', ')})`);
  return topics[pattern as keyof KafkaTopics];
}
