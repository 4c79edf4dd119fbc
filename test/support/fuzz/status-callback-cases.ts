// Hostile requests to Twilio's status callback endpoint (POST /api/TwilioStatusCallback), beside
// the generic categories of fuzz-cases.ts, which cover it too (key, media type, size, headers,
// method, slow clients). Signed requests are signed over the URL and the parameters exactly as
// the server will parse them, so what is tested is the handling of their content.
import fc from 'fast-check';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { parseForm, type FormParams } from '../../../apps/webhooks/src/twilio/inbound/inbound-sms.js';
import { TEST_SECRETS } from '../test-secrets.js';
import type { FuzzCase } from './fuzz-cases.js';
import type { RawRequest } from './raw-http.js';

const PATH = '/api/TwilioStatusCallback';
const TARGET = `${PATH}?code=${TEST_SECRETS.webhooksApiKey}`;
const MEDIA = 'application/x-www-form-urlencoded';

const STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled', 'accepted', 'scheduled'];
const hexSid = (prefix: 'SM' | 'MM') => fc.stringMatching(/^[0-9a-f]{32}$/).map((hex) => `${prefix}${hex}`);
const messageSid = fc.oneof(hexSid('SM'), hexSid('MM'));
const broadcastId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);

const formBody = (params: Array<[string, string]>) => Buffer.from(new URLSearchParams(params).toString(), 'utf8');

function signed(port: number, body: Buffer, target = TARGET, signUrl = `http://127.0.0.1:${port}${target}`): RawRequest {
  const signature = getExpectedTwilioSignature(TEST_SECRETS.twilioAuthToken, signUrl, parseForm(body) as FormParams);
  return {
    target,
    headers: [
      ['Content-Type', MEDIA],
      ['X-Twilio-Signature', signature],
      ['Content-Length', String(body.length)],
    ],
    body,
  };
}

const callbackParams = (sid: string, status: string, extra: Array<[string, string]> = []): Array<[string, string]> => [
  ['AccountSid', 'AC00000000000000000000000000000000'],
  ['ApiVersion', '2010-04-01'],
  ['MessageSid', sid],
  ['SmsSid', sid],
  ['MessageStatus', status],
  ['SmsStatus', status],
  ['To', '+15550100900'],
  ...extra,
];

/** Well-formed callbacks, some for a broadcast, some repeated or with a status this service does not know: 204. */
const valid = (port: number) =>
  fc
    .tuple(
      messageSid,
      fc.oneof(fc.constantFrom(...STATUSES), fc.stringMatching(/^[a-z_]{1,32}$/)),
      fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined }),
      fc.option(broadcastId, { nil: undefined }),
      fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })), { maxLength: 4 }),
    )
    .filter(([, , , , extra]) => extra.every(([n]) => !['MessageSid', 'MessageStatus', 'ErrorCode'].includes(n)))
    .map(([sid, status, errorCode, broadcast, extra]): FuzzCase => {
      const params = callbackParams(sid, status, [
        ...(errorCode === undefined ? [] : [['ErrorCode', String(errorCode)] as [string, string]]),
        ...extra,
      ]);
      const target = broadcast === undefined ? TARGET : `${TARGET}&broadcast=${encodeURIComponent(broadcast)}`;
      return { category: 'status:signed-valid', endpoint: 'twilio-status', request: signed(port, formBody(params), target), expect: [204] };
    });

/** Signed but malformed: a field missing, repeated or of the wrong shape, or a hostile broadcast parameter: 400. */
const wrongShape = (port: number) =>
  fc
    .tuple(
      messageSid,
      fc.oneof(
        fc.constantFrom<Array<[string, string]>>([['MessageStatus', 'delivered']], [['MessageSid', `SM${'1'.repeat(32)}`]]),
        fc
          .string({ minLength: 1, maxLength: 80 })
          .filter((s) => !/^(?:SM|MM)[0-9a-fA-F]{32}$/.test(new URLSearchParams(`x=${encodeURIComponent(s)}`).get('x')!))
          .map((sid): Array<[string, string]> => [
            ['MessageSid', sid],
            ['MessageStatus', 'delivered'],
          ]),
        fc
          .string({ minLength: 1, maxLength: 40 })
          .filter((s) => !/^[a-z_]{1,32}$/.test(s))
          .map((status): Array<[string, string]> => [
            ['MessageSid', `SM${'2'.repeat(32)}`],
            ['MessageStatus', status],
          ]),
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((code) => !/^\d{1,6}$/.test(code))
          .map((code): Array<[string, string]> => [
            ['MessageSid', `SM${'3'.repeat(32)}`],
            ['MessageStatus', 'failed'],
            ['ErrorCode', code],
          ]),
      ),
      fc.constantFrom('MessageSid', 'MessageStatus', 'ErrorCode', undefined),
    )
    .map(([sid, fields, repeat]): FuzzCase => {
      let params = fields;
      if (repeat !== undefined) params = [...callbackParams(sid, 'sent'), [repeat, repeat === 'ErrorCode' ? '30003' : 'x']];
      if (repeat === 'ErrorCode') params = [...params, ['ErrorCode', '30005']];
      return { category: 'status:signed-wrong-shape', endpoint: 'twilio-status', request: signed(port, formBody(params)), expect: [400] };
    });

/** A well-formed callback whose broadcast query parameter is hostile or repeated, signed as sent: 400. */
const hostileBroadcast = (port: number) =>
  fc
    .tuple(
      messageSid,
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !/^[A-Za-z0-9._:-]{1,128}$/.test(s)),
        fc.constant('x'.repeat(129)),
      ),
      fc.boolean(),
    )
    .map(([sid, broadcast, twice]): FuzzCase => {
      const query = `broadcast=${encodeURIComponent(broadcast)}${twice ? '&broadcast=b2' : ''}`;
      return {
        category: 'status:signed-hostile-broadcast',
        endpoint: 'twilio-status',
        request: signed(port, formBody(callbackParams(sid, 'delivered')), `${TARGET}&${query}`),
        expect: [400],
      };
    });

/** No, a random, a foreign or a replayed-elsewhere signature (signed without the broadcast the URL carries): 403. */
const badSignature = (port: number) =>
  fc.tuple(messageSid, fc.constantFrom('none', 'random', 'wrong-token', 'other-url', 'dropped-broadcast')).map(([sid, kind]): FuzzCase => {
    const body = formBody(callbackParams(sid, 'delivered'));
    const target = `${TARGET}&broadcast=b1`;
    const request = signed(port, body, target);
    const url = `http://127.0.0.1:${port}`;
    const signature =
      kind === 'random'
        ? 'bm90IGEgc2lnbmF0dXJl'
        : kind === 'wrong-token'
          ? getExpectedTwilioSignature('not-the-token', `${url}${target}`, parseForm(body) as FormParams)
          : kind === 'other-url'
            ? getExpectedTwilioSignature(TEST_SECRETS.twilioAuthToken, `https://attacker.example${target}`, parseForm(body) as FormParams)
            : kind === 'dropped-broadcast'
              ? getExpectedTwilioSignature(TEST_SECRETS.twilioAuthToken, `${url}${TARGET}`, parseForm(body) as FormParams)
              : undefined;
    const headers = request.headers.filter(([name]) => name !== 'X-Twilio-Signature');
    if (signature !== undefined) headers.push(['X-Twilio-Signature', signature]);
    return { category: 'status:bad-signature', endpoint: 'twilio-status', request: { ...request, headers }, expect: [403] };
  });

/** Every status callback category, with their weights in the run. */
export function statusCallbackCases(port: number): { arbitrary: fc.Arbitrary<FuzzCase>; weight: number }[] {
  return [
    { arbitrary: valid(port), weight: 4 },
    { arbitrary: wrongShape(port), weight: 3 },
    { arbitrary: hostileBroadcast(port), weight: 2 },
    { arbitrary: badSignature(port), weight: 2 },
  ];
}

/** A valid callback, to warm the endpoint up before the memory baseline. */
export function statusCallbackWarmUp(port: number, i: number): FuzzCase {
  const sid = `SM${i.toString(16).padStart(32, '0')}`;
  return {
    category: 'warm-up',
    endpoint: 'twilio-status',
    request: signed(port, formBody(callbackParams(sid, i % 2 === 0 ? 'sent' : 'delivered')), `${TARGET}&broadcast=warm-up`),
    expect: [204],
  };
}
