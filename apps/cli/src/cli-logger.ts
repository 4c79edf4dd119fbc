import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoLogger, type LoggerOptions } from 'pino';
import type { RuntimeConfig } from '@app/shared/config/common.env.js';
import { pinoOptions } from '@app/shared/logging/logger-options.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The Nest logger of the CLI's application contexts: the apps' pino options (redaction, phone
 * masking, no stacks), written to stderr so that stdout carries only the command's output.
 */
export class CliLogger implements LoggerService {
  private readonly pino: PinoLogger;

  constructor(runtime: RuntimeConfig) {
    const options: LoggerOptions = pinoOptions('cli', runtime);
    if (options.transport && !Array.isArray(options.transport) && 'target' in options.transport) {
      this.pino = pino({
        ...options,
        transport: { ...options.transport, options: { ...(options.transport.options as object), destination: 2 } },
      });
    } else {
      this.pino = pino(options, pino.destination({ fd: 2, sync: true }));
    }
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context (the class name) as the last argument.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    if (message !== null && typeof message === 'object') this.pino[level]({ context, ...(message as object) });
    else this.pino[level]({ context }, String(message));
  }
}
