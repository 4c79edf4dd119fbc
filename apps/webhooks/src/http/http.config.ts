import { z } from 'zod';
import { port } from '@app/shared/config/env.js';
import { configNamespace } from '@app/shared/config/app-config.module.js';
import { webhookEndpointsEnv } from '@app/shared/config/webhook-endpoints.env.js';

export const httpEnv = {
  PORT: port(5000).meta({ description: 'HTTP port of the webhooks service' }),
  WEBHOOKS_API_KEY: webhookEndpointsEnv.WEBHOOKS_API_KEY,
};

export interface HttpConfig {
  port: number;
  apiKey: string;
}

export function httpConfigFrom(e: z.output<z.ZodObject<typeof httpEnv>>): HttpConfig {
  return { port: e.PORT, apiKey: e.WEBHOOKS_API_KEY };
}

export const httpConfig = configNamespace<HttpConfig>('http');
