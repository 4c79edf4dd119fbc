import type { Producer } from 'kafkajs';

/**
 * Makes a connected kafkajs producer cache the metadata of `topics` only.
 *
 * kafkajs asks for the metadata of a producer's target topics (those it has sent to), and writes
 * an empty list as null (`Encoder.writeNullableArray`), which a Metadata request v1+ reads as
 * "every topic". `connect()` refreshes the metadata before the first send (InitProducerId →
 * `refreshMetadataIfNecessary`), so a producer caches every topic of the cluster and keeps them
 * until its first send; one that never sends, or a transactional producer whose transactions
 * send nothing, keeps them for good. A send of no messages adds `topics` to the target topics,
 * which refreshes the metadata for exactly those, and finds no partition to write to: no
 * Produce request is sent, nothing is delivered.
 */
export async function holdMetadataOf(producer: Producer, topics: readonly string[]): Promise<void> {
  await producer.sendBatch({ acks: -1, topicMessages: [...new Set(topics)].map((topic) => ({ topic, messages: [] })) });
}
