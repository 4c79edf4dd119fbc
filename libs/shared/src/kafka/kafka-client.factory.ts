import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaConfig } from '../config/common.env.js';

const levels: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs log entry as a log object. kafkajs puts the error's stack trace in a plain `stack`
 * field, which the logger's error serializer never sees: it is dropped here (the message says
 * what failed).
 */
export function kafkaLogFields(log: LogEntry['log']): Record<string, unknown> {
  const { message, stack: _stack, ...extra } = log as LogEntry['log'] & { stack?: unknown };
  return { msg: message, ...extra };
}

/** kafkajs client whose own log lines go through the Nest logger (so through pino and its redaction). */
export function createKafkaClient(config: KafkaConfig): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { initialRetryTime: 100, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) =>
        logger[levels[level] ?? 'log'](kafkaLogFields(log)),
  });
}
