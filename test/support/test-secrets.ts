import { readFileSync } from 'node:fs';

export interface TestSecrets {
  webhooksApiKey: string;
  twilioAuthToken: string;
  notifierTwilioAuthToken: string;
  stripeApiKey: string;
  stripeWebhooksSecret: string;
  oidcClientSecret: string;
  phoneCipherKey: string;
}

/** The one list of secret values the tests use (also read by scripts/audit-logs.mjs, which cannot import TypeScript). */
export const TEST_SECRETS: TestSecrets = (
  JSON.parse(readFileSync(new URL('./test-secrets.json', import.meta.url), 'utf8')) as { secrets: TestSecrets }
).secrets;
