// Child process of the benchmark: boots one HTTP app on an ephemeral port and reports the port
// over IPC. `webhooks`: the real WebhooksModule, configured exactly as main.ts does (env from the
// parent). `baseline`: a bare NestJS route that answers 200, with the same app settings.
import 'reflect-metadata';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { answerControl } from './child-control.mjs';

const which = process.argv[2];

async function webhooksModule() {
  const { WebhooksModule } = await import('../../apps/webhooks/src/webhooks.module.js');
  return WebhooksModule;
}

/** POST /api/StripeWebhookHandler → 200, nothing else (decorators applied by hand: this file is plain JS). */
async function baselineModule() {
  const { LoggingModule } = await import('../../libs/shared/src/logging/logging.module.js');
  const { runtimeConfig, runtimeConfigFrom } = await import('../../libs/shared/src/config/common.env.js');
  const { AppConfigModule } = await import('../../libs/shared/src/config/app-config.module.js');
  class BaselineController {
    receive() {
      return { received: true, outcome: 'baseline' };
    }
  }
  const receive = Object.getOwnPropertyDescriptor(BaselineController.prototype, 'receive');
  Post('StripeWebhookHandler')(BaselineController.prototype, 'receive', receive);
  HttpCode(200)(BaselineController.prototype, 'receive', receive);
  Controller('api')(BaselineController);

  const { InternalEndpointsServer } = await import('../../apps/webhooks/src/http/internal-endpoints.server.js');
  class BaselineModule {}
  const runtime = runtimeConfigFrom({ NODE_ENV: 'production', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', LOG_FORMAT: 'json' });
  Module({
    imports: [AppConfigModule.forRoot(() => ({ runtime }), [runtimeConfig], { ignoreEnvFile: true }), LoggingModule.forApp('webhooks')],
    controllers: [BaselineController],
    providers: [InternalEndpointsServer],
  })(BaselineModule);
  return BaselineModule;
}

const module = which === 'baseline' ? await baselineModule() : await webhooksModule();
const { configureWebhooksApp } = await import('../../apps/webhooks/src/webhooks.app.js');
const { frontDoorConfigFrom, frontDoorEnv } = await import('../../apps/webhooks/src/http/http.env.js');
const { parseEnv } = await import('../../libs/shared/src/config/env.js');
const { z } = await import('zod');
const app = await NestFactory.create(module, { bodyParser: false, logger: false, abortOnError: false });
// Both apps get the same front door (trust proxy, server timeouts, health and metrics off this port).
configureWebhooksApp(app, frontDoorConfigFrom(parseEnv(z.object(frontDoorEnv))));
await app.listen(0, '127.0.0.1');
process.send?.({ ready: true, port: app.getHttpServer().address().port });
process.on('message', async (message) => {
  if (await answerControl(message)) return;
  if (message?.cmd === 'stop') {
    await app.close();
    process.exit(0);
  }
});
