import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import type { RuntimeConfig } from '../config/common.env.js';
import { REDACTED_PATHS, errorSummary, scrubJsonLine, scrubLogObject, scrubText } from './redact.js';

/**
 * pino options shared by both apps and by scripts: JSON by default, pretty in development.
 * Secrets go by path (`redact`); errors are reduced to type and message wherever they sit in a
 * logged plain object (`formatters.log`); phone numbers and the `?code=` key are masked over the
 * whole finished line (`streamWrite`), whatever part of the line carries them.
 */
export function pinoOptions(app: string, runtime: RuntimeConfig): LoggerOptions {
  return {
    name: app,
    level: runtime.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    formatters: { log: scrubLogObject },
    hooks: { streamWrite: scrubJsonLine },
    serializers: { err: serializeError },
    ...(runtime.logFormat === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  };
}

/** Errors are logged by type and message only: stack traces stay out of logs. */
const serializeError = errorSummary;

/** nestjs-pino parameters: request logs carry method, sanitized URL, status and duration only. */
export function loggerParams(app: string, runtime: RuntimeConfig): Params {
  return {
    pinoHttp: {
      ...pinoOptions(app, runtime),
      quietReqLogger: true,
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        err: serializeError,
        req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: scrubText(req.url ?? '') }),
        res: (res: { statusCode?: number | null; raw?: { statusCode?: number } }) => ({
          statusCode: res.raw?.statusCode ?? res.statusCode,
        }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
    },
  };
}
