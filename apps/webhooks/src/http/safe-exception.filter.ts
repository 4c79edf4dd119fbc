import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Every error answer is a short plain-text body: the status text or an HttpException's own safe
 * message. Unexpected errors answer 500 with a generic body and are logged by type and message
 * only; stack traces, tokens and internal messages never reach a response.
 */
@Catch()
export class SafeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Webhooks');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (status >= 500) this.logger.error({ msg: 'request failed', err: exception });
    if (res.headersSent) return;
    res.status(status).type('text/plain').send(safeMessage(exception, status));
  }
}

/** The same short answer for a status the app gives outside Nest's routing (e.g. the port split). */
export function sendStatusAnswer(res: Response, status: number): void {
  res.status(status).type('text/plain').send(safeMessage(undefined, status));
}

function safeMessage(exception: unknown, status: number): string {
  // The router's 404 says "Cannot POST <url>": the URL carries the API key (?code=).
  if (exception instanceof HttpException && status < 500 && status !== HttpStatus.NOT_FOUND) {
    const body = exception.getResponse();
    if (typeof body === 'string') return body;
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return status >= 500 ? 'Internal Server Error' : (HttpStatus[status] ?? 'Error').replace(/_/g, ' ');
}
