import { CanActivate, ExecutionContext, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { type HttpConfig } from './http.env.js';
import { httpConfig } from './http.env.js';

/**
 * Both webhook endpoints carry the shared key in `?code=` (Azure Functions style, as Nudges
 * deploys them). Compared in constant time over digests, so neither content nor length leaks.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);
  private readonly expected: Buffer;
  private rejected = 0;

  constructor(@Inject(httpConfig.KEY) config: HttpConfig) {
    this.expected = digest(config.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const code = req.query.code;
    if (typeof code === 'string' && timingSafeEqual(digest(code), this.expected)) return true;
    this.rejected += 1;
    this.logger.warn({ msg: 'webhook rejected: missing or wrong API key', path: req.path, rejectedTotal: this.rejected });
    throw new UnauthorizedException();
  }

  get rejectedCount(): number {
    return this.rejected;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
