// Stops what global-setup started; a stack that was already running (a developer's, or the one
// `npm test` started) is left alone.
import { down } from '../../scripts/stack.mjs';

export default async function globalTeardown() {
  const started = (process.env.NUDGES_STACK_STARTED_BY_JEST ?? '').split(',').filter(Boolean);
  if (started.length > 0 && process.env.STACK_KEEP !== '1') await down(started);
}
