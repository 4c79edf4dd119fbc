/** Injection token for the kafkajs `Kafka` instance. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
