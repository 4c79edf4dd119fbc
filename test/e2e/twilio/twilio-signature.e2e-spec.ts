// X-Twilio-Signature behind a proxy: the public URL rebuilt from TWILIO_WEBHOOK_PUBLIC_URL or from
// X-Forwarded-* headers, and the explicit switch that turns validation off (with a warning).
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { startWebhooksApp, type RunningWebhooks } from '../../support/webhooks-app.js';
import { WEBHOOK_PATH, activate, sendSms, sms, startTwilioPeers, type TwilioPeers } from '../../support/twilio/twilio-support.js';

const CLIENT_PHONE = '+15550005001';

describe('Twilio signature rules', () => {
  let peers: TwilioPeers;

  beforeAll(async () => {
    peers = await startTwilioPeers('twilio-signature');
    const client = peers.gateway.store.addClient({ name: 'Proxy Co', slug: 'proxy-co', phoneNumber: CLIENT_PHONE });
    activate(peers.gateway.store, client);
  }, 30_000);

  afterAll(async () => {
    await peers?.stop();
  });

  describe('with TWILIO_WEBHOOK_PUBLIC_URL (a proxy that also strips a path prefix)', () => {
    let webhooks: RunningWebhooks;
    const publicBase = 'https://hooks.example.com/edge';

    beforeAll(async () => {
      webhooks = await startWebhooksApp({ ...peers.env, TWILIO_WEBHOOK_PUBLIC_URL: `${publicBase}/` });
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it('accepts a request signed for the public URL, query string included', async () => {
      const res = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: `${publicBase}${WEBHOOK_PATH}` });
      expect(res.status).toBe(200);
      expect(res.message).toMatch(/^Reply COMMANDS for help/);
    });

    it('refuses a request signed for the URL Node sees, or for the public URL without the query string', async () => {
      expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'))).status).toBe(403);
      expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: `${publicBase}/api/TwilioWebhookHandler` })).status).toBe(
        403,
      );
    });

    it('ignores X-Forwarded-* headers when the public URL is configured', async () => {
      const res = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), {
        signUrl: `https://evil.example.net${WEBHOOK_PATH}`,
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example.net' },
      });
      expect(res.status).toBe(403);
    });
  });

  describe('without a public URL, behind a trusted proxy that sets X-Forwarded-Proto/Host', () => {
    let webhooks: RunningWebhooks;

    beforeAll(async () => {
      webhooks = await startWebhooksApp({ ...peers.env, TWILIO_WEBHOOK_PUBLIC_URL: '', TRUST_PROXY: 'loopback' });
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it('rebuilds the URL Twilio called from the forwarded scheme and host', async () => {
      const res = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), {
        signUrl: `https://tunnel.example.org${WEBHOOK_PATH}`,
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'tunnel.example.org' },
      });
      expect(res.status).toBe(200);
    });

    it('accepts a signature over repeated parameters the way twilio computes it', async () => {
      const params = sms(CLIENT_PHONE, 'HELP');
      const body = `${new URLSearchParams(params).toString()}&MediaUrl=b&MediaUrl=a`;
      const twilio = (await import('twilio')).default;
      const url = `${webhooks.url}${WEBHOOK_PATH}`;
      const signature = twilio.getExpectedTwilioSignature('twilio-test-auth-token', url, { ...params, MediaUrl: ['b', 'a'] });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body,
      });
      expect(res.status).toBe(200);
    });
  });

  describe('with TWILIO_SIGNATURE_VALIDATION_DISABLED=true', () => {
    let webhooks: RunningWebhooks;
    const warnings: unknown[] = [];

    beforeAll(async () => {
      const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
        warnings.push(message);
      });
      try {
        webhooks = await startWebhooksApp({ ...peers.env, TWILIO_SIGNATURE_VALIDATION_DISABLED: 'true' });
      } finally {
        spy.mockRestore();
      }
    }, 30_000);
    afterAll(() => webhooks?.stop());

    it('warns at start-up that validation is off', () => {
      expect(warnings).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/X-Twilio-Signature validation is OFF/) }));
    });

    it('accepts unsigned requests, but still requires the API key', async () => {
      const res = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: false });
      expect(res.status).toBe(200);
      expect(res.message).toMatch(/^Reply COMMANDS for help/);
      const noKey = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'HELP'), { signUrl: false, path: '/api/TwilioWebhookHandler' });
      expect(noKey.status).toBe(401);
    });
  });
});
