import type { LoggerService } from '@nestjs/common';
import type { BroadcastStatusCli } from './broadcast/broadcast-status.cli.js';
import {
  loadBroadcastConfig,
  loadDlqConfig,
  loadSimulateSmsConfig,
  loadSimulateStripeConfig,
  loadStripeProcessingConfig,
  type CliEnv,
} from './cli.env.js';
import type { CliOutput } from './cli-output.js';
import type { DlqCli } from './dlq/dlq.cli.js';
import type { SmsSimulationOptions, StripeSimulationOptions } from './simulate/webhook-simulator.js';
import type { ReconcileOptions } from './stripe/stripe-reconciler.js';

// What each command does once its arguments are parsed: validate its own configuration, open what
// it needs, run, close. The nest-commander commands call these; the tests call them in-process.
// Features are imported on demand: `dlq list` need not load the Stripe flow, GraphQL or twilio.

const openStripe = async (env: CliEnv, logger: LoggerService | false) => {
  const { StripeProcessing } = await import('./stripe/stripe-processing.js');
  return StripeProcessing.open(loadStripeProcessingConfig(env), logger);
};

export async function withDlq(env: CliEnv, logger: LoggerService | false, work: (cli: DlqCli) => Promise<number>): Promise<number> {
  const config = loadDlqConfig(env);
  // One import at a time: concurrent dynamic imports trip Jest's ESM loader.
  const { openDlqContext } = await import('./dlq/dlq.module.js');
  const { DlqCli } = await import('./dlq/dlq.cli.js');
  const context = await openDlqContext(config, () => openStripe(env, logger), logger);
  try {
    return await work(context.get(DlqCli));
  } finally {
    await context.close();
  }
}

export async function withBroadcasts(env: CliEnv, work: (cli: BroadcastStatusCli) => Promise<number>): Promise<number> {
  const config = loadBroadcastConfig(env);
  const { createRedisClient } = await import('@app/shared/redis/redis.module.js');
  const { BroadcastStatusCli } = await import('./broadcast/broadcast-status.cli.js');
  const redis = createRedisClient(config.redis, {}, 'broadcast-cli');
  try {
    await redis.connect();
    return await work(new BroadcastStatusCli(redis));
  } finally {
    redis.disconnect();
  }
}

export async function runReconcile(
  env: CliEnv,
  since: string | undefined,
  options: ReconcileOptions,
  out: CliOutput,
  logger: LoggerService | false,
): Promise<number> {
  const { StripeReconciler, createReconcileStripeClient, parseSince, reconcileExitCode } = await import('./stripe/stripe-reconciler.js');
  const from = parseSince(since);
  const config = loadStripeProcessingConfig(env);
  const processing = await openStripe(env, logger);
  try {
    const summary = await new StripeReconciler(createReconcileStripeClient(config.stripe), processing, out).run(from, options);
    return reconcileExitCode(summary);
  } finally {
    await processing.close();
  }
}

export async function runSimulateStripe(env: CliEnv, kind: string, options: StripeSimulationOptions, out: CliOutput): Promise<number> {
  const config = loadSimulateStripeConfig(env);
  const { WebhookSimulator } = await import('./simulate/webhook-simulator.js');
  return new WebhookSimulator(config, out).stripe(kind, options);
}

export async function runSimulateSms(env: CliEnv, body: string, options: SmsSimulationOptions, out: CliOutput): Promise<number> {
  const config = loadSimulateSmsConfig(env);
  const { WebhookSimulator } = await import('./simulate/webhook-simulator.js');
  return new WebhookSimulator(config, out).sms(body, options);
}
