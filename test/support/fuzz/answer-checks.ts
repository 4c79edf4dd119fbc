// What every answer of the fuzzed app must look like, beyond its status: 200 Twilio answers are
// well-formed TwiML that quotes hostile text escaped, 200 Stripe answers are the JSON
// acknowledgement, and no answer carries a secret or a stack trace.
import { readFileSync } from 'node:fs';
import { TEST_SECRETS } from '../test-secrets.js';
import type { FuzzCase } from './fuzz-cases.js';
import type { RawResponse } from './raw-http.js';

const TWIML = /^<\?xml version="1\.0" encoding="UTF-8"\?>(?:<Response\/>|<Response><Message>([^<]*)<\/Message><\/Response>)$/;
const ENTITY = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const XML_ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const STACK_TRACE = /\n\s+at .+:\d+:\d+|node_modules|\.(?:ts|js):\d+/;
const OUTCOMES = new Set(documentedStripeOutcomes());

/**
 * The outcomes of docs/stripe.md's table: the fuzz checks answers against what users are told, not
 * against the code (test/unit/docs/stripe-outcomes.spec.ts keeps the two equal).
 */
export function documentedStripeOutcomes(): string[] {
  const doc = readFileSync(new URL('../../../docs/stripe.md', import.meta.url), 'utf8');
  const table = doc.split('| outcome | meaning |')[1]?.split('\n\n')[0] ?? '';
  const outcomes = [...table.matchAll(/^\| `([a-z]+)` \|/gm)].map((m) => m[1]!);
  if (outcomes.length === 0) throw new Error('docs/stripe.md has no outcome table');
  return outcomes;
}

/** The problems with `res` as an answer to `c` (empty when it is fine). */
export function answerProblems(c: FuzzCase, res: RawResponse): string[] {
  const problems: string[] = [];
  if (!c.expect.includes(res.status)) problems.push(`status ${res.status}, expected ${c.expect.join('|')}`);
  if (res.status === 405 && res.headers.allow !== 'POST')
    problems.push(`405 with Allow ${JSON.stringify(res.headers.allow)}, expected POST`);
  if (c.closedWithinMs !== undefined && (res.elapsedMs ?? Infinity) > c.closedWithinMs)
    problems.push(`slow client held the connection ${res.elapsedMs} ms, allowed ${c.closedWithinMs}`);
  const text = res.body.toString('utf8');
  for (const [name, value] of Object.entries(TEST_SECRETS)) if (text.includes(value)) problems.push(`answer contains the ${name}`);
  if (STACK_TRACE.test(text)) problems.push('answer contains a stack trace');
  if (res.status === 200 && c.endpoint === 'twilio') problems.push(...twimlProblems(c, res, text));
  if (res.status === 200 && c.endpoint === 'stripe') problems.push(...stripeAckProblems(text));
  if (res.status === 204 && res.body.length > 0) problems.push('204 with a body');
  if (c.then)
    problems.push(...(res.next ? answerProblems(c.then, res.next) : ['no answer to the pipelined request']).map((p) => `pipelined: ${p}`));
  return problems;
}

function twimlProblems(c: FuzzCase, res: RawResponse, xml: string): string[] {
  if (!/^text\/xml/.test(res.headers['content-type'] ?? '')) return [`200 with content type ${res.headers['content-type']}`];
  const message = twimlMessage(xml);
  if (message instanceof Error) return [message.message];
  if (c.echo !== undefined && !(message ?? '').includes(c.echo))
    return [`draft not quoted back intact: ${JSON.stringify((message ?? '').slice(0, 120))}`];
  return [];
}

/** The unescaped text of the reply's <Message> (null for an empty <Response/>), or what is malformed. */
export function twimlMessage(xml: string): string | null | Error {
  const match = TWIML.exec(xml);
  if (!match) return new Error(`not well-formed TwiML: ${JSON.stringify(xml.slice(0, 120))}`);
  const escaped = match[1];
  if (escaped === undefined) return null;
  if (XML_ILLEGAL.test(escaped)) return new Error('TwiML carries characters XML 1.0 forbids');
  if (escaped.replace(ENTITY, '').includes('&')) return new Error('TwiML has a bare & or an unknown entity');
  return escaped.replace(ENTITY, (entity) => {
    const body = entity.slice(1, -1);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
    return NAMED[body]!;
  });
}

function stripeAckProblems(text: string): string[] {
  try {
    const ack = JSON.parse(text) as { received?: unknown; outcome?: unknown };
    if (ack.received === true && typeof ack.outcome === 'string' && OUTCOMES.has(ack.outcome)) return [];
  } catch {
    // reported below
  }
  return [`200 that is not Stripe's acknowledgement: ${JSON.stringify(text.slice(0, 120))}`];
}
