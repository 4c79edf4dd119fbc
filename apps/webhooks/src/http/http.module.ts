import { Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard.js';

/** The API-key guard both webhook endpoints share. */
@Global()
@Module({
  providers: [ApiKeyGuard],
  exports: [ApiKeyGuard],
})
export class WebhookHttpModule {}
