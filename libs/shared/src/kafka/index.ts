export * from './kafka.tokens.js';
export * from './kafka-client.factory.js';
export * from './kafka-producer.service.js';
export * from './producer-metadata.js';
export * from './kafka-topics.initializer.js';
export * from './kafka.health.js';
export * from './kafka.module.js';
export * from './event-identity.js';
