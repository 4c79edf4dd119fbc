import { baseWebhooksEnv } from './webhooks-app.js';

export interface RunningBroadcaster {
  /** Base URL of /health, /health/ready and /metrics. */
  url: string;
  stop(): Promise<void>;
}

/** Env that satisfies the broadcaster's schema against the local stack (the webhooks' base, which is a superset). */
export function baseBroadcasterEnv(): Record<string, string> {
  return {
    ...baseWebhooksEnv(),
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
    BROADCAST_RETRY_BASE_MS: '100',
    BROADCAST_RETRY_MAX_MS: '1000',
  };
}

/**
 * Boots the real BroadcasterModule in this process with `env` over `baseBroadcasterEnv()` (read
 * from the given object, not process.env, so it can run beside a webhooks app in one test file).
 * Tests that pass the same KAFKA_TOPIC_BROADCASTS and BROADCAST_CONSUMER_GROUP as their webhooks
 * app get a fan-out of their own.
 */
export async function startBroadcasterApp(env: Record<string, string | undefined> = {}): Promise<RunningBroadcaster> {
  const { startBroadcaster } = await import('../../apps/broadcaster/src/broadcaster.app.js');
  const merged = Object.fromEntries(Object.entries({ ...baseBroadcasterEnv(), ...env }).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const running = await startBroadcaster({ env: merged });
  return { url: `http://127.0.0.1:${running.healthPort}`, stop: () => running.stop() };
}
