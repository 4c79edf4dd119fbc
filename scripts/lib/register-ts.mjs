// `node --import ./scripts/lib/register-ts.mjs file.mjs`: lets plain scripts import the project's
// TypeScript sources (apps, libs, peers) directly, compiled on load by SWC with the same settings
// as the jest setup (legacy decorators and decorator metadata, which Nest's injection needs).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
