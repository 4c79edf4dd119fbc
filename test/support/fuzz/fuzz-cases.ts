// The hostile requests, one fast-check arbitrary per category. Each case is raw bytes (see
// raw-http.ts) plus the statuses it may be answered with; Twilio drafts also say which text the
// TwiML must quote back.
import fc from 'fast-check';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import {
  checkoutSessionObject,
  priceObject,
  productObject,
  stripeEvent,
  stripeSignature,
} from '../../../apps/cli/src/simulate/stripe-events.js';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../apps/cli/src/simulate/simulated-stripe-events.js';
import { parseForm, type FormParams } from '../../../apps/webhooks/src/twilio/inbound/inbound-sms.js';
import { TEST_SECRETS } from '../test-secrets.js';
import { requestBytes, type RawRequest } from './raw-http.js';
import { statusCallbackCases, statusCallbackWarmUp } from './status-callback-cases.js';
import { DRAFTING_CLIENT_PHONE, SERVER_HEADERS_TIMEOUT_MS, SERVER_REQUEST_TIMEOUT_MS } from './fuzz-target.js';

/** Every answer the issue allows (200 only as TwiML or Stripe's JSON acknowledgement; 405 only with `Allow: POST`). */
export const ALLOWED_STATUSES = [200, 400, 401, 403, 404, 405, 408, 413, 415, 417, 431] as const;
/** The client hung up before sending the body it announced: there is nobody to answer. */
export const NO_ANSWER = 0;

export type Endpoint = 'twilio' | 'stripe' | 'twilio-status';

export interface FuzzCase {
  category: string;
  endpoint: Endpoint;
  request: RawRequest;
  expect: readonly number[];
  /** Twilio: text the TwiML message must contain (a draft quoted back), already as the server decodes it. */
  echo?: string;
  /** With `request.pipelined`: the case the second request is, answered on the same connection. */
  then?: FuzzCase;
  /** A slow client: the server must have closed the connection within this many ms. */
  closedWithinMs?: number;
}

const KEY = TEST_SECRETS.webhooksApiKey;
const PATH: Record<Endpoint, string> = {
  twilio: '/api/TwilioWebhookHandler',
  stripe: '/api/StripeWebhookHandler',
  'twilio-status': '/api/TwilioStatusCallback',
};
const MEDIA: Record<Endpoint, string> = {
  twilio: 'application/x-www-form-urlencoded',
  stripe: 'application/json',
  'twilio-status': 'application/x-www-form-urlencoded',
};
const LIMIT: Record<Endpoint, number> = { twilio: 64 * 1024, stripe: 1024 * 1024, 'twilio-status': 16 * 1024 };
const ANY: readonly number[] = ALLOWED_STATUSES;

const withKey = (endpoint: Endpoint) => `${PATH[endpoint]}?code=${KEY}`;
const utf8 = (s: string) => Buffer.from(s, 'utf8');

// ------------------------------------------------------------------ hostile text

const HOSTILE_BITS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  ']]>',
  '<![CDATA[x]]>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE r [<!ENTITY x "y">]>&x;',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1F600;',
  '</Message>',
  '<Response>',
  '<Redirect>http://evil.example</Redirect>',
  '<Message to="+15550000000">',
  '{smsBody}',
  '{0}',
  '%s',
  '${x}',
  '\\n',
  '\u0000',
  '\u0008',
  '\u000B',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDC00',
  '😀',
  '👩‍👩‍👧',
  '\u202E',
  '\u200B',
  'é',
  '\r\n',
  '\r',
  '\t',
  '\\',
  '%',
  '%00',
  '+',
  '=',
  '&From=+15550000000',
  'CONFIRM',
  'UNSUB 1',
  '__proto__',
  'constructor',
];
const hostileText = (maxParts = 24): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { arbitrary: fc.constantFrom(...HOSTILE_BITS), weight: 3 },
        { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
        { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
      ),
      { maxLength: maxParts },
    )
    .map((parts) => parts.join(''));

/** Text as the server will read it back from a form body (lone surrogates become U+FFFD on encoding). */
const asFormDecodes = (text: string) => new URLSearchParams(new URLSearchParams({ t: text }).toString()).get('t') ?? '';
// The characters twiml.ts drops because XML 1.0 cannot carry them.
const XML_ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// ------------------------------------------------------------------ Twilio

let sidSeq = 0;
/** A MessageSid of Twilio's shape, unique in this run (a repeated one is answered from the replay store). */
const freshSid = () => `SM${Date.now().toString(16)}${(sidSeq++).toString(16).padStart(8, '0')}`;

const formBody = (params: Array<[string, string]>) => new URLSearchParams(params).toString();

/** A signed Twilio request: the signature covers the URL and the parameters exactly as the server will parse them. */
function signedTwilio(port: number, body: Buffer, extraHeaders: Array<[string, string]> = [], target = withKey('twilio')): RawRequest {
  const signature = getExpectedTwilioSignature(
    TEST_SECRETS.twilioAuthToken,
    `http://127.0.0.1:${port}${target}`,
    parseForm(body) as FormParams,
  );
  return {
    target,
    headers: [['Content-Type', MEDIA.twilio], ['X-Twilio-Signature', signature], ['Content-Length', String(body.length)], ...extraHeaders],
    body,
  };
}

const smsParams = (from: string, body: string, extra: Array<[string, string]> = []): Array<[string, string]> => [
  ['MessageSid', freshSid()],
  ['AccountSid', 'AC00000000000000000000000000000000'],
  ['From', from],
  ['To', '+15550000000'],
  ['Body', body],
  ['NumMedia', '0'],
  ...extra,
];

const randomPhone = fc.integer({ min: 0, max: 9_999_999 }).map((n) => `+1555${String(n).padStart(7, '0')}`);

/** A client's text that is no command: stored as a draft and quoted back, escaped, in the TwiML. */
const twilioDraft = (port: number) =>
  hostileText().map((text): FuzzCase => {
    const body = `Offer: ${text}`;
    const quoted = asFormDecodes(body).trim().replace(XML_ILLEGAL, '');
    return {
      category: 'twilio:signed-draft-xml',
      endpoint: 'twilio',
      request: signedTwilio(port, utf8(formBody(smsParams(DRAFTING_CLIENT_PHONE, body)))),
      expect: [200],
      echo: quoted,
    };
  });

/** Hostile text (and sometimes a hostile From) from people the gateway may or may not know. */
const twilioHostileText = (port: number) =>
  fc
    .tuple(fc.oneof(randomPhone, fc.constant(DRAFTING_CLIENT_PHONE), hostileText(4)), hostileText(), fc.boolean())
    .map(([from, text, withSid]): FuzzCase => {
      const params = smsParams(from, text).filter(([n]) => withSid || n !== 'MessageSid');
      const blankFrom = asFormDecodes(from).trim() === '';
      return {
        category: 'twilio:signed-hostile-text',
        endpoint: 'twilio',
        request: signedTwilio(port, utf8(formBody(params))),
        expect: blankFrom ? [400] : [200],
      };
    });

/** Signed, but not a usable SMS webhook: repeated or missing fields, malformed MessageSid, odd extra names. */
const twilioWrongShape = (port: number) =>
  fc.oneof(
    fc.constantFrom('From', 'Body', 'To', 'MessageSid').map((name): FuzzCase => {
      const params = smsParams('+15550100200', 'hello');
      const repeated = params.find(([n]) => n === name)!;
      return {
        category: 'twilio:signed-wrong-shape',
        endpoint: 'twilio',
        request: signedTwilio(port, utf8(formBody([...params, repeated]))),
        expect: [400],
      };
    }),
    fc.constantFrom('From', 'Body').map((name): FuzzCase => ({
      category: 'twilio:signed-wrong-shape',
      endpoint: 'twilio',
      request: signedTwilio(port, utf8(formBody(smsParams('+15550100200', 'hello').filter(([n]) => n !== name)))),
      expect: [400],
    })),
    fc
      .string({ minLength: 1, maxLength: 80 })
      .filter((s) => !/^[A-Za-z0-9]{1,64}$/.test(s))
      .map((sid): FuzzCase => ({
        category: 'twilio:signed-wrong-shape',
        endpoint: 'twilio',
        request: signedTwilio(
          port,
          utf8(formBody([...smsParams('+15550100200', 'hello').filter(([n]) => n !== 'MessageSid'), ['MessageSid', sid]])),
        ),
        expect: asFormDecodes(sid) === '' ? [200] : [400],
      })),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('__proto__', 'constructor', 'toString', 'From[]', 'Body[0]', 'hasOwnProperty', ''),
            fc.string({ maxLength: 16 }),
          ),
          hostileText(3),
        ),
        { maxLength: 6 },
      )
      .filter((extra) => extra.every(([n]) => !['From', 'Body', 'To', 'MessageSid'].includes(asFormDecodes(n))))
      .map((extra): FuzzCase => ({
        category: 'twilio:signed-wrong-shape',
        endpoint: 'twilio',
        request: signedTwilio(port, utf8(formBody(smsParams('+15550100200', 'hello', extra)))),
        expect: [200],
      })),
  );

/** Bytes that are not UTF-8 (raw and percent-encoded), signed over what the server decodes them to. */
const twilioInvalidUtf8 = (port: number) =>
  fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.constantFrom('%C3%28', '%FF%FE', '%ED%A0%80', '%F0%28%8C%28', '%C0%AF', '%E2%82'),
      fc.boolean(),
    )
    .map(([bytes, escaped, rawBytes]): FuzzCase => {
      const params = formBody(smsParams('+15550100300', 'x').filter(([n]) => n !== 'Body'));
      // Percent-escapes of invalid sequences go into the Body itself; raw bytes (no `&` or `=`, so they
      // cannot start another parameter) into one the parser does not act on.
      const head = utf8(`${params}&Body=Offer+${escaped}&Note=`);
      const body = rawBytes ? Buffer.concat([head, Buffer.from(bytes).map((b) => (b === 0x26 || b === 0x3d ? 0x78 : b))]) : head;
      return { category: 'twilio:signed-invalid-utf8', endpoint: 'twilio', request: signedTwilio(port, body), expect: [200] };
    });

/** A valid key and a well-formed SMS, but no, a random, a foreign or a stale signature. */
const twilioBadSignature = (port: number) =>
  fc
    .tuple(
      fc.oneof(
        fc.constant(undefined),
        fc.constant(''),
        fc.base64String({ minLength: 4, maxLength: 40 }),
        fc.constant('wrong-token'),
        fc.constant('other-url'),
      ),
      hostileText(4),
    )
    .map(([kind, text]): FuzzCase => {
      const params = smsParams('+15550100400', text);
      const body = utf8(formBody(params));
      const url = `http://127.0.0.1:${port}${withKey('twilio')}`;
      const signature =
        kind === 'wrong-token'
          ? getExpectedTwilioSignature('not-the-token', url, parseForm(body))
          : kind === 'other-url'
            ? getExpectedTwilioSignature(TEST_SECRETS.twilioAuthToken, `https://attacker.example${withKey('twilio')}`, parseForm(body))
            : kind;
      const headers: Array<[string, string]> = [
        ['Content-Type', MEDIA.twilio],
        ['Content-Length', String(body.length)],
      ];
      if (signature !== undefined) headers.push(['X-Twilio-Signature', signature]);
      return { category: 'twilio:bad-signature', endpoint: 'twilio', request: { target: withKey('twilio'), headers, body }, expect: [403] };
    });

// ------------------------------------------------------------------ Stripe

const realisticObject = fc
  .constantFrom('product', 'price', 'checkout')
  .map((kind) => (kind === 'product' ? productObject() : kind === 'price' ? priceObject() : checkoutSessionObject()));

function signedStripe(body: Buffer, timestamp?: number): RawRequest {
  return {
    target: withKey('stripe'),
    headers: [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Stripe-Signature', stripeSignature(body.toString('utf8'), TEST_SECRETS.stripeWebhooksSecret, timestamp)],
      ['Content-Length', String(body.length)],
    ],
    body,
  };
}

/** Replaces or deletes some fields of `object` (never its id and object, which the envelope needs). */
const mutated = (object: Record<string, unknown>) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...Object.keys(object).filter((k) => k !== 'id' && k !== 'object')),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      ),
      {
        minLength: 1,
        maxLength: 5,
      },
    )
    .map((changes) => {
      const copy: Record<string, unknown> = { ...object };
      for (const [key, value] of changes) {
        if (value === undefined) delete copy[key];
        else copy[key] = value;
      }
      return copy;
    });

/** Correctly signed events of a handled (or unknown) type whose data.object is not what the handler reads. */
const stripeWrongShape = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constantFrom(...HANDLED_STRIPE_EVENT_TYPES), weight: 4 },
      { arbitrary: fc.stringMatching(/^[a-z0-9_.]{1,30}$/), weight: 1 },
    ),
    fc.oneof(
      realisticObject.chain(mutated),
      fc
        .record({
          id: fc.string({ minLength: 1, maxLength: 40 }),
          object: fc.oneof(fc.constantFrom('product', 'price', 'checkout.session'), fc.string({ minLength: 1 })),
        })
        .chain((head) =>
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).map((rest) => ({ ...rest, ...head })),
        ),
    ),
    fc.option(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), { nil: undefined }),
  )
  .map(([type, object, previousAttributes]): FuzzCase => ({
    category: 'stripe:signed-wrong-shape',
    endpoint: 'stripe',
    request: signedStripe(utf8(JSON.stringify(stripeEvent(type, object, previousAttributes ? { previousAttributes } : {})))),
    expect: [200],
  }));

/** Well-shaped events whose strings, amounts and metadata are hostile. */
const stripeHostileValues = fc
  .tuple(
    fc.constantFrom('product.created', 'product.updated', 'price.created', 'price.updated', 'checkout.session.completed'),
    hostileText(6),
    fc.oneof(fc.integer(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, 2 ** 63)),
    fc.constantFrom('usd', 'jpy', 'bhd', 'xxx', 'USD', 'zzz'),
    fc.dictionary(fc.string({ maxLength: 10 }), hostileText(2), { maxKeys: 4 }),
  )
  .map(([type, text, amount, currency, metadata]): FuzzCase => {
    const object = type.startsWith('product')
      ? productObject({ name: text, description: text, metadata })
      : type.startsWith('price')
        ? priceObject({ nickname: text, unitAmount: amount, currency, metadata })
        : checkoutSessionObject({ customerName: text, metadata, amountTotal: amount, currency });
    return {
      category: 'stripe:signed-hostile-values',
      endpoint: 'stripe',
      request: signedStripe(utf8(JSON.stringify(stripeEvent(type, object)))),
      expect: [200],
    };
  });

/** Signed bytes that are no Stripe event: random JSON, random bytes, a valid event cut short. */
const stripeNotAnEvent = fc
  .oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => utf8(JSON.stringify(v) ?? 'null')),
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
    fc.tuple(realisticObject, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map(([object, at]) => {
      const json = JSON.stringify(stripeEvent('product.created', object));
      return utf8(json.slice(0, Math.floor(json.length * at)));
    }),
  )
  .map((body): FuzzCase => ({ category: 'stripe:signed-not-an-event', endpoint: 'stripe', request: signedStripe(body), expect: [400] }));

/**
 * A valid event with a signature timestamp outside the 300 s tolerance (replayed or from the
 * future). Cases are generated before the run: a future stamp gets 300 s more, so it is still
 * outside the tolerance when it is sent minutes later.
 */
const stripeReplayed = fc
  .tuple(realisticObject, fc.oneof(fc.integer({ min: -10_000_000, max: -301 }), fc.integer({ min: 601, max: 10_000_000 })))
  .map(([object, offset]): FuzzCase => ({
    category: 'stripe:replayed-signature',
    endpoint: 'stripe',
    request: signedStripe(utf8(JSON.stringify(stripeEvent('product.updated', object))), Math.floor(Date.now() / 1000) + offset),
    expect: [400],
  }));

/** A valid event with no, a random or a wrong-secret signature header. */
const stripeBadSignature = fc
  .tuple(
    realisticObject,
    fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 120 }).map((s) => s.replace(/[\r\n\0]/g, '')),
      fc.constant('wrong-secret'),
      fc.constant('v0-only'),
    ),
  )
  .map(([object, kind]): FuzzCase => {
    const body = utf8(JSON.stringify(stripeEvent('price.updated', object)));
    const now = Math.floor(Date.now() / 1000);
    const signature =
      kind === 'wrong-secret'
        ? stripeSignature(body.toString(), 'whsec_not_the_secret')
        : kind === 'v0-only'
          ? stripeSignature(body.toString(), TEST_SECRETS.stripeWebhooksSecret).replace('v1=', 'v0=')
          : kind === undefined
            ? undefined
            : `t=${now},v1=${Buffer.from(kind).toString('hex')}`;
    const headers: Array<[string, string]> = [
      ['Content-Type', MEDIA.stripe],
      ['Content-Length', String(body.length)],
    ];
    if (signature !== undefined) headers.push(['Stripe-Signature', signature]);
    return { category: 'stripe:bad-signature', endpoint: 'stripe', request: { target: withKey('stripe'), headers, body }, expect: [400] };
  });

// ------------------------------------------------------------------ both endpoints

const endpoint = fc.constantFrom<Endpoint>('twilio', 'stripe', 'twilio-status');
const printable = (max: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });

/** No key, a wrong key, the key twice, as an array or object, differently cased: 401 before the body is read. */
const missingKey = fc
  .tuple(
    endpoint,
    fc.oneof(
      fc.constantFrom(
        '',
        '?code=',
        '?code=wrong',
        `?code=${KEY}&code=${KEY}`,
        `?code=x&code=${KEY}`,
        `?code[]=${KEY}`,
        `?code[a]=${KEY}`,
        `?CODE=${KEY}`,
        `?code=${KEY}%00`,
        `?code=${KEY}x`,
        `?code=%20${KEY}`,
      ),
      printable(40).map((junk) => `?code=${encodeURIComponent(junk)}`),
    ),
    fc.uint8Array({ maxLength: 512 }),
  )
  .map(([ep, query, body]): FuzzCase => ({
    category: 'any:missing-or-wrong-key',
    endpoint: ep,
    request: {
      target: `${PATH[ep]}${query}`,
      headers: [
        ['Content-Type', MEDIA[ep]],
        ['Content-Length', String(body.length)],
      ],
      body: Buffer.from(body),
    },
    expect: [401],
  }));

/** The right key with a media type the endpoint does not take (or none, or an unparsable one). */
const wrongContentType = fc
  .tuple(
    endpoint,
    fc.oneof(
      fc.constantFrom(
        undefined,
        '',
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded-x',
        'application/jsonp',
        '*/*',
        'application/json; charset',
        'application/x-www-form-urlencoded;;',
        '"application/json"',
      ),
      printable(60),
    ),
    fc.uint8Array({ maxLength: 512 }),
  )
  .filter(([ep, type]) => type === undefined || type.trim().toLowerCase().split(';')[0]!.trim() !== MEDIA[ep])
  .map(([ep, type, body]): FuzzCase => {
    const headers: Array<[string, string]> = [['Content-Length', String(body.length)]];
    if (type !== undefined) headers.push(['Content-Type', type]);
    return {
      category: 'any:wrong-content-type',
      endpoint: ep,
      request: { target: withKey(ep), headers, body: Buffer.from(body) },
      expect: [415],
    };
  });

/** Bodies over the endpoint's limit, announced by Content-Length or streamed chunked. */
const hugeBody = fc.tuple(endpoint, fc.integer({ min: 1, max: 1024 * 1024 }), fc.boolean()).map(([ep, extra, chunked]): FuzzCase => {
  const body = Buffer.alloc(LIMIT[ep] + extra, ep === 'stripe' ? 0x20 : 0x61);
  const headers: Array<[string, string]> = [['Content-Type', MEDIA[ep]]];
  if (chunked) headers.push(['Transfer-Encoding', 'chunked']);
  else headers.push(['Content-Length', String(body.length)]);
  const wire = chunked ? Buffer.concat([utf8(`${body.length.toString(16)}\r\n`), body, utf8('\r\n0\r\n\r\n')]) : body;
  return { category: 'any:huge-body', endpoint: ep, request: { target: withKey(ep), headers, body: wire }, expect: [413] };
});

/**
 * Header tricks: CR/LF/NUL inside values, folded lines, invalid names, duplicated or conflicting
 * framing headers, bytes above 0x7f, forwarded host and proto. Node's parser refuses most (400);
 * whatever gets through must be answered within the allowed set.
 */
const INJECTED_HEADERS: Array<Array<[string, string]>> = [
  [['X-Test', 'a\r\nX-Twilio-Signature: forged']],
  [['X-Test', 'a\nStripe-Signature: t=1,v1=00']],
  [['X-Test', 'a\rb']],
  [['X-Test', 'a\u0000b']],
  [['X-Test', 'a\r\n folded']],
  [['X Test', 'space in name']],
  [['X-Test(', 'bad name']],
  [['Content-Length ', '5']],
  [
    ['Content-Length', '5'],
    ['Content-Length', '6'],
  ],
  [['Content-Length', '5, 5']],
  [['Content-Length', '-1']],
  [['Content-Length', '0x10']],
  [['Content-Length', '99999999999999999999']],
  [
    ['Transfer-Encoding', 'chunked'],
    ['Content-Length', '5'],
  ],
  [['Transfer-Encoding', 'gzip, chunked']],
  [['Transfer-Encoding', 'chunked, identity']],
  [['Content-Type', 'application/json\r\nX-Injected: 1']],
  [['X-Forwarded-Host', 'attacker.example']],
  [['X-Forwarded-Host', '<script>']],
  [['X-Forwarded-Proto', 'javascript']],
  [['X-Forwarded-For', '::ffff:garbage, , ,']],
  [['Host', '']],
  [
    ['Host', 'a'],
    ['Host', 'b'],
  ],
  [['Expect', '100-continue']],
];
const headerInjection = fc
  .tuple(
    endpoint,
    fc.constantFrom(...INJECTED_HEADERS),
    fc.uint8Array({ maxLength: 128 }),
    fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 8 }),
  )
  .map(([ep, injected, body, high]): FuzzCase => {
    const framing = injected.some(([n]) => /^(content-length|transfer-encoding)/i.test(n.trim()));
    const headers: Array<[string, string]> = [['Content-Type', MEDIA[ep]], ['X-Bytes', String.fromCharCode(...high)], ...injected];
    if (!framing) headers.push(['Content-Length', String(body.length)]);
    return {
      category: 'any:header-injection',
      endpoint: ep,
      request: { target: withKey(ep), headers, body: Buffer.from(body), endAfterWrite: framing },
      expect: [...ANY, NO_ANSWER],
    };
  });

/** A Content-Length that does not match the body: longer (the client then gives up), shorter, or garbage. */
const contentLengthMismatch = fc
  .tuple(endpoint, fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.integer({ min: 1, max: 10_000 }), fc.boolean())
  .map(([ep, body, delta, longer]): FuzzCase => {
    const length = longer ? body.length + delta : Math.max(0, body.length - delta);
    return {
      category: 'any:content-length-mismatch',
      endpoint: ep,
      request: {
        target: withKey(ep),
        headers: [
          ['Content-Type', MEDIA[ep]],
          ['Content-Length', String(length)],
        ],
        body: Buffer.from(body),
        endAfterWrite: longer,
      },
      expect: longer ? [400, NO_ANSWER] : ANY,
    };
  });

/** The key in unusual spellings of the query: encoded name or value, fragments, bad escapes, long junk. */
const oddQuery = fc
  .tuple(
    endpoint,
    fc.constantFrom(
      `?%63ode=${KEY}`,
      `?code=${encodeURIComponent(KEY).replace(/-/g, '%2D')}`,
      `?code=${KEY}#fragment`,
      `?code=${KEY}&code`,
      `?code=${KEY}&%zz=1`,
      `?code=${KEY}%`,
      `?code=${KEY}&x=<script>alert(1)</script>`,
      `?code=${KEY}&${'a=1&'.repeat(500)}`,
      `?code=${KEY};code=other`,
      `?code%5Ba%5D=${KEY}`,
      `?c%6Fde=${KEY}`,
      `?x=1%26code=${KEY}`,
    ),
    fc.uint8Array({ maxLength: 256 }),
  )
  .map(([ep, query, body]): FuzzCase => ({
    category: 'any:odd-query',
    endpoint: ep,
    request: {
      target: `${PATH[ep]}${query}`,
      headers: [
        ['Content-Type', MEDIA[ep]],
        ['Content-Length', String(body.length)],
      ],
      body: Buffer.from(body),
    },
    expect: ANY,
  }));

/** Random bytes as a body with the right key and media type (unsigned: 403 for Twilio, 400 for Stripe). */
const randomBody = fc.tuple(endpoint, fc.uint8Array({ maxLength: 2048 })).map(([ep, body]): FuzzCase => ({
  category: 'any:random-body',
  endpoint: ep,
  request: {
    target: withKey(ep),
    headers: [
      ['Content-Type', MEDIA[ep]],
      ['Content-Length', String(body.length)],
    ],
    body: Buffer.from(body),
  },
  expect: ep === 'stripe' ? [400] : [403],
}));

/**
 * Paths no endpoint serves on the public port, with the key or without: 404, and nothing about
 * what does exist. Health and metrics are among them: they are served on the internal port only.
 */
const unknownPath = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        '/health',
        '/health/ready',
        '/metrics',
        '/HEALTH/',
        '/',
        '/api',
        '/api/',
        '/api/StripeWebhookHandler/x',
        '/api/TwilioWebhookHandler.json',
        '/api/Unknown',
        '/.env',
        '/admin',
        '/api/%2e%2e/etc/passwd',
        '/api//StripeWebhookHandler',
      ),
      printable(30).map((junk) => `/api/x${encodeURIComponent(junk)}`),
    ),
    fc.boolean(),
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom('POST', 'GET'),
  )
  .map(([path, withCode, body, method]): FuzzCase => ({
    category: 'any:unknown-path',
    endpoint: 'stripe',
    request: {
      method,
      target: withCode ? `${path}?code=${KEY}` : path,
      headers: [
        ['Content-Type', MEDIA.stripe],
        ['Content-Length', String(body.length)],
      ],
      body: Buffer.from(body),
    },
    expect: [404],
  }));

/** An expectation the server cannot meet (only 100-continue exists): Node answers 417 before the app. */
const unmetExpectation = fc
  .tuple(endpoint, fc.constantFrom('200-ok', 'x', 'continue', '100-continued'))
  .map(([ep, expectation]): FuzzCase => ({
    category: 'any:unmet-expectation',
    endpoint: ep,
    request: {
      target: withKey(ep),
      headers: [
        ['Content-Type', MEDIA[ep]],
        ['Expect', expectation],
        ['Content-Length', '2'],
      ],
      body: utf8('{}'),
    },
    expect: [417],
  }));

/** A header block over Node's 16 KiB limit, in one header or in many: 431. */
const hugeHeaders = fc.tuple(endpoint, fc.integer({ min: 17 * 1024, max: 64 * 1024 }), fc.boolean()).map(([ep, size, many]): FuzzCase => {
  const big: Array<[string, string]> = many
    ? Array.from({ length: Math.ceil(size / 1000) }, (_, i) => [`X-Filler-${i}`, 'f'.repeat(1000)])
    : [['X-Filler', 'f'.repeat(size)]];
  return {
    category: 'any:huge-headers',
    endpoint: ep,
    request: { target: withKey(ep), headers: [['Content-Type', MEDIA[ep]], ...big, ['Content-Length', '0']], body: Buffer.alloc(0) },
    expect: [431],
  };
});

/** Any other method on a webhook path (its spelling as the router matches it too): 405 with `Allow: POST`, key or not. */
const wrongMethod = fc
  .tuple(
    endpoint,
    fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'),
    fc.constantFrom('', '/'),
    fc.boolean(),
    fc.boolean(),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([ep, method, slash, lowerCase, withCode, body]): FuzzCase => {
    const path = `${lowerCase ? PATH[ep].toLowerCase() : PATH[ep]}${slash}`;
    const headers: Array<[string, string]> = [['Content-Type', MEDIA[ep]]];
    if (body.length > 0) headers.push(['Content-Length', String(body.length)]);
    return {
      category: 'any:wrong-method',
      endpoint: ep,
      request: { method, target: withCode ? `${path}?code=${KEY}` : path, headers, body: Buffer.from(body) },
      expect: [405],
    };
  });

/**
 * A slowloris client with the right key and media type: the headers (or the body it announced)
 * a byte at a time, never finishing. The server must answer 408 or drop the connection, by its
 * deadline (headers or whole request) plus its once-a-tenth check, with the same again as margin
 * for a loaded machine.
 */
const slowClient = fc
  .tuple(endpoint, fc.constantFrom('headers', 'body'), fc.integer({ min: 1_000, max: 60_000 }), fc.integer({ min: 20, max: 200 }))
  .map(([ep, phase, announced, intervalMs]): FuzzCase => {
    const slowHeaders: Array<[string, string]> = Array.from({ length: 400 }, (_, i) => [`X-Slow-${i}`, 'y']);
    // Host given, so the bytes on the wire are exactly these (requestBytes adds none) and the offsets below hold.
    const headers: Array<[string, string]> = [
      ['Host', 'hooks.example.com'],
      ['Content-Type', MEDIA[ep]],
      ['Content-Length', String(announced)],
      ...(phase === 'headers' ? slowHeaders : []),
    ];
    const request: RawRequest = { target: withKey(ep), headers, body: Buffer.alloc(announced, 0x61) };
    const wire = requestBytes(request, 'unused');
    const requestLine = wire.indexOf('\r\n') + 2;
    const head = wire.indexOf('\r\n\r\n') + 4;
    const deadlineMs = phase === 'headers' ? SERVER_HEADERS_TIMEOUT_MS : SERVER_REQUEST_TIMEOUT_MS;
    return {
      category: 'any:slow-client',
      endpoint: ep,
      request: { ...request, slow: { upfrontBytes: phase === 'headers' ? requestLine : head + 1, intervalMs } },
      // A body announced over the endpoint's limit (the status callbacks' 16 KiB) is refused at once.
      expect: phase === 'body' && announced > LIMIT[ep] ? [413, 408, NO_ANSWER] : [408, NO_ANSWER],
      closedWithinMs: 2 * deadlineMs + 1_000,
    };
  });

/** Two requests written back to back on one keep-alive connection: both answered, in order. */
const pipelined = (port: number) =>
  fc
    .tuple(
      fc.oneof(
        twilioDraft(port),
        stripeBadSignature,
        missingKey.filter((c) => (c.request.body?.length ?? 0) === 0),
      ),
      fc.oneof(twilioDraft(port), stripeBadSignature, unknownPath),
    )
    .map(([first, second]): FuzzCase => ({
      ...first,
      category: 'any:pipelined',
      request: { ...first.request, pipelined: second.request },
      then: second,
    }));

/** Every category, weighted so 10,000 cases fit the time budget (huge bodies are expensive). */
export function fuzzCase(port: number): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { arbitrary: twilioDraft(port), weight: 12 },
    { arbitrary: twilioHostileText(port), weight: 10 },
    { arbitrary: twilioWrongShape(port), weight: 6 },
    { arbitrary: twilioInvalidUtf8(port), weight: 4 },
    { arbitrary: twilioBadSignature(port), weight: 5 },
    { arbitrary: stripeWrongShape, weight: 10 },
    { arbitrary: stripeHostileValues, weight: 5 },
    { arbitrary: stripeNotAnEvent, weight: 5 },
    { arbitrary: stripeReplayed, weight: 4 },
    { arbitrary: stripeBadSignature, weight: 4 },
    { arbitrary: missingKey, weight: 8 },
    { arbitrary: wrongContentType, weight: 6 },
    { arbitrary: hugeBody, weight: 1 },
    { arbitrary: headerInjection, weight: 6 },
    { arbitrary: contentLengthMismatch, weight: 4 },
    { arbitrary: oddQuery, weight: 3 },
    { arbitrary: randomBody, weight: 6 },
    { arbitrary: unknownPath, weight: 3 },
    { arbitrary: unmetExpectation, weight: 2 },
    { arbitrary: hugeHeaders, weight: 1 },
    { arbitrary: pipelined(port), weight: 3 },
    { arbitrary: wrongMethod, weight: 3 },
    { arbitrary: slowClient, weight: 1 },
    ...statusCallbackCases(port),
  );
}

/** Valid requests of each endpoint, to warm the app up before its memory baseline is taken. */
export function warmUpCase(port: number, i: number): FuzzCase {
  if (i % 10 === 9) return statusCallbackWarmUp(port, i);
  if (i % 2 === 0) {
    return {
      category: 'warm-up',
      endpoint: 'twilio',
      request: signedTwilio(port, utf8(formBody(smsParams(DRAFTING_CLIENT_PHONE, `Offer ${i} <b>&</b>`)))),
      expect: [200],
    };
  }
  return {
    category: 'warm-up',
    endpoint: 'stripe',
    request: signedStripe(utf8(JSON.stringify(stripeEvent('product.updated', productObject())))),
    expect: [200],
  };
}
