import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './tracing-sdk.js';

/** Exports the spans still buffered when the app stops (SIGTERM), so the last requests are not lost. */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing();
  }
}

@Global()
@Module({ providers: [TracingShutdown] })
export class TracingModule {}
