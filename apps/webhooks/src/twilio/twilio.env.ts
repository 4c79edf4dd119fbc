import { z } from 'zod';
import { httpUrl, optionalString, requiredString } from '@app/shared/config/env.js';

export const twilioEnv = {
  TWILIO_ACCOUNT_SID: requiredString().meta({ description: 'Twilio account SID (AC...)' }),
  TWILIO_AUTH_TOKEN: requiredString().meta({ description: 'Twilio auth token; validates X-Twilio-Signature', sensitive: true }),
  TWILIO_MESSAGE_SERVICE_SID: optionalString().meta({ description: 'Twilio Messaging Service SID (MG...); not used by webhooks' }),
  AccountUrl: httpUrl().meta({ description: 'account page linked in the client HELP reply' }),
  StripePortalUrl: httpUrl().meta({ description: 'Stripe customer portal linked in the client HELP reply' }),
  ClientLinkBaseUri: httpUrl().meta({ description: 'base of the client share link (<base>/<slug>)' }),
};

export interface TwilioWebhookConfig {
  accountSid: string;
  authToken: string;
  accountUrl: string;
  stripePortalUrl: string;
  clientLinkBaseUri: string;
}

export function twilioConfigFrom(e: z.output<z.ZodObject<typeof twilioEnv>>): TwilioWebhookConfig {
  return {
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    accountUrl: e.AccountUrl,
    stripePortalUrl: e.StripePortalUrl,
    clientLinkBaseUri: e.ClientLinkBaseUri,
  };
}
