// Reads what the webhooks app keeps in Redis, with a client of the test's own (so it works right
// after Redis itself was restarted).
import { Redis } from 'ioredis';
import { stackEnv } from '../stack.js';

/** The pending announcement draft of a client phone (the app's `announcement:<phone>` key), or null. */
export async function draftOf(redisPrefix: string, phone: string): Promise<string | null> {
  const redis = new Redis(stackEnv().REDIS_URL, { keyPrefix: redisPrefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return await redis.get(`announcement:${phone}`);
  } finally {
    redis.disconnect();
  }
}
