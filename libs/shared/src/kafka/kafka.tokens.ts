/** Injection token for the kafkajs `Kafka` instance. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** Injection token for the app's `KafkaConfig`. */
export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');
