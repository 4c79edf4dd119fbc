// `dlq list | show | replay` against the real Kafka and Redis: dead-letter records written with the
// shared codec to a topic of this run, replays read back byte for byte from the original topic.
import { jest } from '@jest/globals';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createDeadLetterRecord } from '@app/shared/codec/dead-letter.js';
import { encodeEvent } from '@app/shared/codec/encode.js';
import { encodeDeadLetterKey } from '@app/shared/codec/keys.js';
import type { DeadLetterRecord } from '@app/shared/codec/messages.js';
import { eventIdentity } from '../../apps/notifier/src/dedupe/event-identity.js';
import { CapturedOutput } from '../../apps/cli/src/cli-output.js';
import { CliUsageError } from '../../apps/cli/src/cli.errors.js';
import { withDlq } from '../../apps/cli/src/cli.runners.js';
import type { DlqCli } from '../../apps/cli/src/dlq/dlq.cli.js';
import { stackEnv, uniqueName } from '../support/stack.js';
import { createTopics, ensureCliBuilt, RawReader, runCli, text, topicSize, type RawMessage } from './support/cli-support.js';

jest.setTimeout(60_000);

const PHONE = '+15555550100';
const SEND_SMS_KEY = '{"eventType":"SendSms"}';
const sendSms = (phone: string) => `{"$type":"notification.sendSms","phoneNumber":"${phone}","resourceKey":"WelcomeMessage","locale":"en-US","replacements":{}}`;

describe('dlq CLI', () => {
  const base = uniqueName('cli-dlq');
  const topics = { deadletter: `${base}-deadletter`, notifications: `${base}-notifications` };
  const env = { ...stackEnv(), KAFKA_TOPIC_DEADLETTER: topics.deadletter, REDIS_KEY_PREFIX: `${base}:`, LOG_LEVEL: 'warn' };
  let producer: Producer;
  let reader: RawReader;
  let failures = 0;

  // Four dead letters of the notifier, one stored twice, plus a record that is not a dead letter.
  const twilio = record('twilio.21211', `Twilio refused ${'+*******0100'} (21211)`, {
    partition: 2,
    offset: '42',
    key: SEND_SMS_KEY,
    value: sendSms(PHONE),
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-binary': Buffer.from([0xff, 0x00, 0x80]) },
  });
  const notUtf8 = record('poison.invalid-utf8', 'value is not valid UTF-8', { key: null, value: Buffer.from([0xff, 0xfe, 0x7b]) });
  const notUtf8Too = record('poison.invalid-utf8', 'value is not valid UTF-8', { key: SEND_SMS_KEY, value: Buffer.from([0xc3, 0x28]) });
  const exhausted = record('retries-exhausted', 'Twilio unavailable after 5 attempts', {
    key: SEND_SMS_KEY,
    value: sendSms('+15555550177'),
    headers: { 'message-id': 'c-sharp-producer-0001' },
  });

  function record(reasonCode: string, reason: string, original: Partial<Parameters<typeof createDeadLetterRecord>[0]['original']>): DeadLetterRecord {
    failures += 1;
    return createDeadLetterRecord({
      failedAt: new Date(Date.UTC(2026, 2, 4, 5, 6, failures)),
      source: 'notifier',
      reasonCode,
      reason,
      attempts: 1,
      original: { topic: topics.notifications, partition: 0, offset: '0', key: null, value: null, ...original },
    });
  }

  const run = (work: (dlq: DlqCli) => Promise<number>) => withDlq(env, false, work);
  const replays = (deadLetter: DeadLetterRecord) => reader.read(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === deadLetter.id);

  beforeAll(async () => {
    await createTopics({ [topics.deadletter]: 2, [topics.notifications]: 3 });
    producer = new Kafka({ clientId: base, brokers: env.Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const message = (r: DeadLetterRecord, partition: number) => ({ key: encodeDeadLetterKey(r.id), value: encodeEvent(r), partition });
    await producer.send({
      topic: topics.deadletter,
      messages: [message(twilio, 0), message(notUtf8, 1), { value: 'not a dead letter', partition: 1 }, message(notUtf8Too, 0), message(exhausted, 1), message(twilio, 1)],
    });
    reader = await RawReader.start([topics.notifications]);
  });

  afterAll(async () => {
    await reader.stop();
    await producer.disconnect();
  });

  it('lists every dead letter once, oldest first, phone numbers masked, and warns about foreign records', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.list({}, out))).toBe(0);
    const [header, ...rows] = out.lines;
    expect(header).toMatch(/^ID\s+SOURCE\s+REASON\s+ATTEMPTS\s+FAILED AT\s+ORIGINAL\s+REPLAYED$/);
    expect(rows.slice(0, 4).map((r) => r.split(/\s+/)[0])).toEqual([twilio.id, notUtf8.id, notUtf8Too.id, exhausted.id]);
    expect(rows[0]).toMatch(new RegExp(`^${twilio.id}\\s+notifier\\s+twilio\\.21211\\s+1\\s+${twilio.failedAt.replace(/\./g, '\\.')}\\s+${topics.notifications}\\[2\\]@42\\s+-$`));
    expect(rows[4]).toBe(`4 of 4 dead letter(s) in ${topics.deadletter}`);
    expect(out.warnings).toEqual([expect.stringMatching(/^not a dead-letter record at partition 1, offset \d+: invalid-json$/)]);
    expect(out.text).not.toContain(PHONE);
  });

  it('filters by reason (with a prefix) and writes JSON lines', async () => {
    const out = new CapturedOutput();
    await run((dlq) => dlq.list({ reason: 'poison.*', json: true }, out));
    const listed = out.lines.map((l) => JSON.parse(l) as { id: string; original: { value: string | null; valueBytes: number; valueEncoding: string } });
    expect(listed.map((e) => e.id)).toEqual([notUtf8.id, notUtf8Too.id]);
    expect(listed[0]?.original).toMatchObject({ value: null, valueBytes: 3, valueEncoding: 'base64' });
  });

  it('shows one dead letter with its original decoded, by id or id prefix, never a full phone number', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.show(twilio.id.slice(0, 8), {}, out))).toBe(0);
    expect(out.lines).toEqual(
      expect.arrayContaining([
        `id:            ${twilio.id}`,
        'reason code:   twilio.21211',
        'reason:        Twilio refused +*******0100 (21211)',
        `original:      topic ${topics.notifications}, partition 2, offset 42`,
        `  key:         ${SEND_SMS_KEY}`,
        `  value:       ${sendSms('+*******0100')}`,
        '    traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        '    x-binary: <3 bytes, not UTF-8>',
        'replayed:      no',
      ]),
    );
    expect(out.text).not.toContain(PHONE);

    const missing = new CapturedOutput();
    expect(await run((dlq) => dlq.show('00000000-0000-4000-8000-000000000000', {}, missing))).toBe(1);
    expect(missing.warnings).toEqual([`no dead letter 00000000-0000-4000-8000-000000000000 in ${topics.deadletter}`]);
  });

  it('republishes the exact original key, value and headers to the original topic, once', async () => {
    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([twilio.id], {}, out))).toBe(0);
    expect(out.lines[0]).toMatch(new RegExp(`^${twilio.id}  published to ${topics.notifications}\\[\\d\\]@\\d+$`));
    expect(out.lines[1]).toBe('replayed 1, skipped 0, failed 0');

    const [replayed] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === twilio.id);
    expect(replayed?.key).toEqual(Buffer.from(SEND_SMS_KEY));
    expect(replayed?.value).toEqual(Buffer.from(sendSms(PHONE)));
    expect(replayed?.headers).toEqual({
      traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      'x-binary': Buffer.from([0xff, 0x00, 0x80]),
      'nudges-message-id': Buffer.from(twilio.id),
      'nudges-replayed-from': Buffer.from(twilio.id),
    });
    expect(await topicSize(topics.notifications)).toBe(before + 1);

    const again = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([twilio.id], {}, again))).toBe(0);
    expect(again.lines).toEqual([`${twilio.id}  skipped: already replayed (use --force to replay again)`, 'replayed 0, skipped 1, failed 0']);
    expect(await topicSize(topics.notifications)).toBe(before + 1);

    const listed = new CapturedOutput();
    await run((dlq) => dlq.list({ pending: true }, listed));
    expect(listed.text).not.toContain(twilio.id);
  });

  it('--force publishes again, with the same notifier identity, so the notifier still delivers it once', async () => {
    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([twilio.id], { force: true }, out))).toBe(0);
    const both = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === twilio.id, 2);
    expect(await topicSize(topics.notifications)).toBe(before + 1);
    const identities = new Set(both.map((m: RawMessage) => eventIdentity(m)));
    expect(identities.size).toBe(1);
  });

  it('replays every dead letter of one reason with --all --reason, bytes exact even when not UTF-8', async () => {
    const dry = new CapturedOutput();
    await run((dlq) => dlq.replay([], { all: true, reason: 'poison.invalid-utf8', dryRun: true }, dry));
    expect(dry.lines).toEqual([
      `${notUtf8.id}  would replay to topic ${topics.notifications}`,
      `${notUtf8Too.id}  would replay to topic ${topics.notifications}`,
      'dry run: would replay 2, skip 0',
    ]);

    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([], { all: true, reason: 'poison.invalid-utf8' }, out))).toBe(0);
    expect(out.lines.at(-1)).toBe('replayed 2, skipped 0, failed 0');
    expect(await topicSize(topics.notifications)).toBe(before + 2);
    const [first] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === notUtf8.id);
    const [second] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === notUtf8Too.id);
    expect(first?.key).toBeNull();
    expect(first?.value).toEqual(Buffer.from([0xff, 0xfe, 0x7b]));
    expect(second?.key).toEqual(Buffer.from(SEND_SMS_KEY));
    expect(second?.value).toEqual(Buffer.from([0xc3, 0x28]));
    expect(replays(exhausted)).toHaveLength(0);
  });

  it("keeps a producer's message id instead of adding one", async () => {
    expect(await run((dlq) => dlq.replay([exhausted.id], {}, new CapturedOutput()))).toBe(0);
    const [replayed] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === exhausted.id);
    expect(text(replayed?.headers['message-id'])).toBe('c-sharp-producer-0001');
    expect(replayed?.headers['nudges-message-id']).toBeUndefined();
  });

  it('reports unknown ids and refuses ambiguous arguments', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay(['11111111-2222-4333-8444-555555555555'], {}, out))).toBe(1);
    expect(out.warnings).toEqual([`no dead letter 11111111-2222-4333-8444-555555555555 in ${topics.deadletter}`]);
    await expect(run((dlq) => dlq.replay([], {}, out))).rejects.toThrow(CliUsageError);
    await expect(run((dlq) => dlq.replay([], { all: true }, out))).rejects.toThrow(/--all needs --reason/);
    await expect(run((dlq) => dlq.replay([twilio.id], { all: true, reason: '*' }, out))).rejects.toThrow(CliUsageError);
  });

  it('says which settings are missing to replay a Stripe dead letter', async () => {
    const stripe = createDeadLetterRecord({
      source: 'webhooks',
      reasonCode: 'stripe.client-not-found',
      reason: 'no client has Stripe customer id cus_1',
      attempts: 1,
      stripeEventId: 'evt_1NoSettings',
      stripeEventType: 'checkout.session.completed',
      original: { key: null, value: '{"id":"evt_1NoSettings","object":"event"}' },
    });
    await producer.send({ topic: topics.deadletter, messages: [{ key: encodeDeadLetterKey(stripe.id), value: encodeEvent(stripe) }] });
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([stripe.id], {}, out))).toBe(1);
    expect(out.warnings[0]).toMatch(new RegExp(`^${stripe.id}  FAILED: invalid configuration \\| STRIPE_API_KEY: is required but not set \\| `));
    // A failed replay is not recorded: it can be run again once the settings are there.
    const listed = new CapturedOutput();
    await run((dlq) => dlq.list({ pending: true }, listed));
    expect(listed.text).toContain(stripe.id);
  });

  describe('as a process (the built CLI, as npm run dlq runs it)', () => {
    beforeAll(() => ensureCliBuilt(), 240_000);

    it('lists as JSON and skips a replayed dead letter', async () => {
      const listed = await runCli(['dlq', 'list', '--json'], env);
      expect(listed.code).toBe(0);
      const entries = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; replayed: unknown });
      const replayedIds = entries.filter((e) => e.replayed !== null).map((e) => e.id);
      expect(replayedIds).toEqual([twilio.id, notUtf8.id, notUtf8Too.id, exhausted.id]);
      expect(listed.stdout).not.toContain(PHONE);

      const before = await topicSize(topics.notifications);
      const replay = await runCli(['dlq', 'replay', notUtf8.id], env);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain(`${notUtf8.id}  skipped: already replayed`);
      expect(await topicSize(topics.notifications)).toBe(before);
    });

    it('exits 1 with one line per missing variable', async () => {
      const bad = await runCli(['dlq', 'list'], { REDIS_URL: env.REDIS_URL });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('cli: invalid configuration\n  Kafka__BrokerList: is required but not set\n');
    });
  });
});
