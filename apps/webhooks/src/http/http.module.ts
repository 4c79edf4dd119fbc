import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiKeyGuard } from './api-key.guard.js';
import { HTTP_CONFIG, type HttpConfig } from './http.config.js';

/** What both webhook endpoints share: their configuration and the API-key guard. */
@Global()
@Module({
  providers: [
    { provide: HTTP_CONFIG, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow<HttpConfig>('http') },
    ApiKeyGuard,
  ],
  exports: [HTTP_CONFIG, ApiKeyGuard],
})
export class WebhookHttpModule {}
