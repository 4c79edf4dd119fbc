// Typed access to the local stack from tests.
// @ts-expect-error -- plain ESM script without type declarations
import * as stack from '../../scripts/stack.mjs';

export interface StackEnv {
  Kafka__BrokerList: string;
  REDIS_URL: string;
  STRIPE_API_URL: string;
  TWILIO_API_URL: string;
}

/** Addresses of the running stack (as set by the e2e global setup). */
export function stackEnv(): StackEnv {
  return stack.stackEnv() as StackEnv;
}

/** Stops one component (outage simulation); `startComponent` brings it back on the same port. */
export async function stopComponent(name: 'kafka' | 'redis' | 'stripe-mock' | 'prism'): Promise<void> {
  await stack.down([name]);
}

export async function startComponent(name: 'kafka' | 'redis' | 'stripe-mock' | 'prism'): Promise<void> {
  await stack.up([name]);
}

/** A name unique to this test run, for topics, consumer groups and Redis key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
