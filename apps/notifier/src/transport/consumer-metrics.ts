/** What the Kafka transport reports about one partition it consumes. */
export interface PartitionMetrics {
  /** A message was handed to its handler. */
  consumed(): void;
  /** Messages between the processed position and the partition's high watermark. */
  lag(messages: number): void;
}

/** The transport's metrics sink (the notifier's NotifierMetrics; tests may pass their own). */
export interface ConsumerMetrics {
  partition(topic: string, partition: number): PartitionMetrics;
  /** The group gave this member `assignment` (topic → partitions): forget the lag of partitions it no longer owns. */
  assigned(assignment: Record<string, number[]>): void;
}

const ignored: PartitionMetrics = { consumed: () => undefined, lag: () => undefined };

export const noConsumerMetrics: ConsumerMetrics = { partition: () => ignored, assigned: () => undefined };
