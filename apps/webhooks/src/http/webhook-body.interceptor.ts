import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  UseInterceptors,
  applyDecorators,
  mixin,
  type Type,
} from '@nestjs/common';
import { parse as parseContentType } from 'content-type';
import type { Request } from 'express';
import getRawBody from 'raw-body';
import { from, switchMap, type Observable } from 'rxjs';

/** The body of a webhook request, read only after the API-key guard has passed. */
export interface WebhookRequest extends Request {
  rawBody: Buffer;
}

export interface WebhookBodyOptions {
  /** Accepted media type, e.g. `application/json`. */
  mediaType: string;
  /** Largest accepted body in bytes. */
  limitBytes: number;
}

/**
 * Reads the raw body after guards ran (Nest's global body parser is off in this app): a wrong API
 * key is answered 401 before a byte of the body is read, and the exact bytes stay available for
 * signature checks. Wrong media type → 415, too large → 413, unreadable → 400.
 */
function webhookBodyInterceptor(options: WebhookBodyOptions): Type<NestInterceptor> {
  @Injectable()
  class WebhookBodyInterceptor implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      const req = context.switchToHttp().getRequest<WebhookRequest>();
      return from(readBody(req, options)).pipe(switchMap(() => next.handle()));
    }
  }
  return mixin(WebhookBodyInterceptor);
}

async function readBody(req: WebhookRequest, options: WebhookBodyOptions): Promise<void> {
  assertMediaType(req, options.mediaType);
  try {
    req.rawBody = await getRawBody(req, { limit: options.limitBytes, length: req.headers['content-length'] });
  } catch (err) {
    throw toHttpError(err);
  }
}

function assertMediaType(req: Request, expected: string): void {
  const header = req.headers['content-type'];
  let type: string | undefined;
  try {
    type = header ? parseContentType(header).type : undefined;
  } catch {
    type = undefined;
  }
  if (type !== expected) throw new UnsupportedMediaTypeException(`Content-Type must be ${expected}`);
}

function toHttpError(err: unknown): HttpException {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return new PayloadTooLargeException('Request body too large');
  if (type === 'request.aborted') return new HttpException('Request aborted', HttpStatus.BAD_REQUEST);
  return new BadRequestException('Request body could not be read');
}

/** Route decorator: read and check the body as described above. */
export const WebhookBody = (options: WebhookBodyOptions) => applyDecorators(UseInterceptors(webhookBodyInterceptor(options)));
