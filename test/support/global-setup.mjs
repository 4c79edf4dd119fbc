// Starts the real local stack (Kafka, Redis, stripe-mock, Prism) once for the e2e project and
// exports its addresses to the test workers through process.env. (Plain JS: Jest loads global
// setup files natively, without the TypeScript transform.)
import { up, stackEnv } from '../../scripts/stack.mjs';

export default async function globalSetup() {
  const started = await up();
  process.env.NUDGES_STACK_STARTED_BY_JEST = started.join(',');
  Object.assign(process.env, stackEnv());
}
